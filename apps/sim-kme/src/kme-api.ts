// What one KME answers, by the ETSI GS QKD 014 rules and the topology in the KeyNetwork: Status,
// enc_keys (issue keys, relay them to a slave's KME in another process) and dec_keys. HTTP is
// kme-routes.ts's business; a refusal is thrown as a Refusal carrying its status and message.
import { ETSI_400_MESSAGES } from '@qkd-macsec/etsi-qkd-client/schemas';
import type { Faults, LinkLimits, SimKmeConfig } from './config.js';
import type { IssuedKey, KeyNetwork, LinkPool } from './key-stream.js';
import { badRequest, Refusal, unauthorized } from './refusal.js';
import type { RelayClient } from './relay.js';

/** A key as enc_keys hands it out. `key` is the secret itself: never log it. */
export interface KeyIssuedEvent {
  kmeId: string;
  keyId: string;
  key: Buffer;
  masterSaeId: string;
  slaveSaeIds: string[];
}

export interface KeyRequestLike {
  number?: number | undefined;
  size?: number | undefined;
  additional_slave_SAE_IDs?: string[] | undefined;
  extension_mandatory?: Record<string, unknown>[] | undefined;
  extension_optional?: Record<string, unknown>[] | undefined;
}

export interface KmeApiOptions {
  kmeId: string;
  network: KeyNetwork;
  extensions: SimKmeConfig['extensions'];
  rejectUnhandledOptional: boolean;
  /** Read on every request so faults can change while the server runs. */
  faults: () => Faults;
  random: () => number;
  /** The client that pushes keys to a slave's KME served by another process. */
  relayClient: RelayClient | undefined;
  onKeyIssued: ((event: KeyIssuedEvent) => void) | undefined;
}

export interface KmeApi {
  status(caller: string, slave: string): Record<string, unknown>;
  encKeys(caller: string, slave: string, request: KeyRequestLike): Promise<{ keys: IssuedKey[] }>;
  decKeys(caller: string, master: string, keyIds: string[]): { keys: IssuedKey[] };
}

export function createKmeApi(opts: KmeApiOptions): KmeApi {
  const { kmeId, network } = opts;
  const linkTo = linkFinder(kmeId, network);
  const reused = reusedKeyIds(opts);
  return {
    status(caller, slave) {
      notSelf(caller, slave);
      const { kme: target, link } = linkTo(slave, 'slave');
      const { limits } = link;
      return {
        source_KME_ID: kmeId,
        target_KME_ID: target,
        master_SAE_ID: caller,
        slave_SAE_ID: slave,
        key_size: limits.keySize,
        stored_key_count: link.storedKeyCount(),
        max_key_count: limits.maxKeyCount,
        max_key_per_request: limits.maxKeyPerRequest,
        max_key_size: limits.maxKeySize,
        min_key_size: limits.minKeySize,
        max_SAE_ID_count: limits.maxSaeIdCount,
      };
    },
    async encKeys(caller, slave, request) {
      notSelf(caller, slave);
      const { limits } = linkTo(slave, 'slave').link;
      checkExtensions(opts, request.extension_mandatory, true);
      checkExtensions(opts, request.extension_optional, false);
      const { size, number } = checkSizes(limits, request);
      const slaves = slavesOf(caller, slave, request.additional_slave_SAE_IDs ?? [], limits, linkTo);
      const dice = reused.dice();
      const issued = network.issue(kmeId, caller, slaves, number, size, dice?.next);
      if (!issued.ok)
        throw new Refusal(503, `not enough key material: the ${issued.link.join('-')} link holds ${issued.availableBits} bits, the request needs ${issued.neededBits}`);
      if (issued.relay.length > 0) await relay(opts, issued.keys, issued.relay);
      reused.remember(issued.keys, dice?.used);
      if (opts.onKeyIssued)
        for (const k of issued.keys) opts.onKeyIssued({ kmeId, keyId: k.keyId, key: Buffer.from(k.key), masterSaeId: caller, slaveSaeIds: slaves });
      return { keys: issued.keys };
    },
    decKeys(caller, master, keyIds) {
      const home = network.kmeOfSae(master);
      const link = home === undefined ? undefined : network.link(kmeId, home);
      if (!link) throw badRequest(ETSI_400_MESSAGES.keysNotFound);
      if (keyIds.length > link.limits.maxKeyPerRequest)
        throw badRequest(`key_IDs names ${keyIds.length} keys; max_key_per_request is ${link.limits.maxKeyPerRequest}`);
      const result = network.retrieve(kmeId, caller, master, keyIds);
      if (result.ok) return { keys: result.keys };
      if (result.reason === 'not-entitled') throw unauthorized(`SAE "${caller}" was not named for key ${result.keyId}`);
      throw badRequest(ETSI_400_MESSAGES.keysNotFound);
    },
  };
}

type LinkTo = (saeId: string, role: string) => { kme: string; link: LinkPool };

/** The link from this KME to the KME of `saeId` (a slave, or a master for dec_keys). */
function linkFinder(kmeId: string, network: KeyNetwork): LinkTo {
  return (saeId, role) => {
    const peer = network.kmeOfSae(saeId);
    if (peer === undefined) throw badRequest(`unknown ${role} SAE "${saeId}"`);
    // Only a single-KME topology has a pool from a KME to itself.
    if (peer === kmeId && !network.link(kmeId, kmeId))
      throw badRequest(`${role} SAE "${saeId}" is attached to ${kmeId} itself; keys are delivered only across a QKD link`);
    const link = network.link(kmeId, peer);
    if (!link) throw badRequest(`no QKD link between ${kmeId} and ${peer} (the KME of ${role} SAE "${saeId}")`);
    return { kme: peer, link };
  };
}

function notSelf(caller: string, slave: string): void {
  if (slave === caller) throw badRequest(`slave SAE "${slave}" is the caller itself; a key goes from one SAE to another`);
}

function checkExtensions(opts: Pick<KmeApiOptions, 'extensions' | 'rejectUnhandledOptional'>, list: Record<string, unknown>[] | undefined, mandatory: boolean): void {
  for (const ext of list ?? []) {
    for (const [name, value] of Object.entries(ext)) {
      // hasOwn: a parameter named like an Object.prototype member ("constructor") is just unknown.
      const allowed = Object.hasOwn(opts.extensions, name) ? opts.extensions[name] : undefined;
      const met = allowed?.some((v) => JSON.stringify(v) === JSON.stringify(value)) ?? false;
      if (mandatory) {
        if (!allowed) throw badRequest(ETSI_400_MESSAGES.extensionMandatoryUnsupported);
        if (!met) throw badRequest(ETSI_400_MESSAGES.extensionMandatoryUnmet);
      } else if (!met && opts.rejectUnhandledOptional) throw badRequest(ETSI_400_MESSAGES.extensionOptionalUnhandled);
    }
  }
}

function checkSizes(limits: LinkLimits, request: KeyRequestLike): { size: number; number: number } {
  const size = request.size ?? limits.keySize;
  if (size % 8 !== 0) throw badRequest(ETSI_400_MESSAGES.sizeNotMultipleOf8);
  if (size < limits.minKeySize || size > limits.maxKeySize)
    throw badRequest(`size shall be between min_key_size (${limits.minKeySize}) and max_key_size (${limits.maxKeySize})`);
  const number = request.number ?? 1;
  if (number > limits.maxKeyPerRequest) throw badRequest(`number shall not exceed max_key_per_request (${limits.maxKeyPerRequest})`);
  return { size, number };
}

/** The slave and the additional slaves, each named once, none the master, each on a linked KME. */
function slavesOf(caller: string, slave: string, additional: string[], limits: LinkLimits, linkTo: LinkTo): string[] {
  if (additional.length > limits.maxSaeIdCount)
    throw badRequest(`additional_slave_SAE_IDs names ${additional.length} SAEs; max_SAE_ID_count is ${limits.maxSaeIdCount}`);
  const slaves = [slave];
  for (const extra of additional) {
    if (extra === caller || slaves.includes(extra)) throw badRequest(`additional_slave_SAE_IDs: "${extra}" is the master or already named`);
    linkTo(extra, 'additional slave');
    slaves.push(extra);
  }
  return slaves;
}

/** The slave's KME runs in another process: it must hold the keys before the master has them. */
async function relay(opts: KmeApiOptions, keys: IssuedKey[], batches: Parameters<RelayClient['send']>[0][]): Promise<void> {
  try {
    if (!opts.relayClient) throw new Error('no relay client configured');
    const client = opts.relayClient;
    await Promise.all(batches.map((batch) => client.send(batch)));
  } catch (err) {
    opts.network.forget(keys.map((k) => k.keyId));
    for (const k of keys) k.key.fill(0);
    throw new Refusal(503, (err as Error).message);
  }
}

/**
 * The reusedKeyIdRate fault: the last key_IDs this KME issued (latest first), for the dice to
 * hand out again, each once.
 */
function reusedKeyIds(opts: Pick<KmeApiOptions, 'faults' | 'random'>) {
  const issuedBefore: string[] = [];
  return {
    dice(): { next: () => string | undefined; used: Set<string> } | undefined {
      const { reusedKeyIdRate } = opts.faults();
      if (reusedKeyIdRate <= 0) return undefined;
      const used = new Set<string>();
      const next = () => {
        const keyId = issuedBefore.length > 0 && opts.random() < reusedKeyIdRate ? issuedBefore.pop() : undefined;
        if (keyId !== undefined) used.add(keyId);
        return keyId;
      };
      return { next, used };
    },
    remember(keys: IssuedKey[], used: Set<string> | undefined): void {
      issuedBefore.push(...keys.map((k) => k.keyId).filter((k) => !used?.has(k)));
      if (issuedBefore.length > 2048) issuedBefore.splice(0, issuedBefore.length - 1024); // kept to the last 1,024, trimmed now and then
    },
  };
}
