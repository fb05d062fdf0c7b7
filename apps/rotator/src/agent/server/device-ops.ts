// The device endpoints: each a DeviceOps call (fleet/direct-ops.ts) on the device's one pooled
// NETCONF session, with the change's references resolved first — so a reference the agent cannot
// resolve (a key it does not hold: restarted, expired, released) is refused with 409 before the
// device is touched. Confirms go on the pool's urgent lane, as the coordinator's do.
import type { JunosDevice, MkaSession, SessionPool } from '@qkd-macsec/junos-netconf';
import type { Secret } from '@qkd-macsec/macsec-config';
import { directOps } from '../../fleet/direct-ops.js';
import type { DeviceOps } from '../../fleet/ops.js';
import { describeError } from '../../engine/device-ops.js';
import { AgentRefusal } from '../protocol/errors.js';
import type { RequestOf, ResponseOf, WireSecret } from '../protocol/schemas.js';
import { changeFromWire, configReadToWire, loadFromWire, secretsByCkn, type ResolveRef } from '../protocol/wire.js';
import type { KeyStore } from './keys.js';

export interface DeviceEndpoints {
  read(b: RequestOf<'read'>): Promise<ResponseOf<'read'>>;
  loginUsers(b: RequestOf<'loginUsers'>): Promise<ResponseOf<'loginUsers'>>;
  facts(b: RequestOf<'facts'>): Promise<ResponseOf<'facts'>>;
  mka(b: RequestOf<'mka'>): Promise<ResponseOf<'mka'>>;
  commit(b: RequestOf<'commit'>): Promise<ResponseOf<'commit'>>;
  confirmPending(b: RequestOf<'confirmPending'>): Promise<ResponseOf<'confirmPending'>>;
  stage(b: RequestOf<'stage'>): Promise<ResponseOf<'stage'>>;
  confirmStaged(b: RequestOf<'confirmStaged'>): Promise<ResponseOf<'confirmStaged'>>;
  releaseStaged(b: RequestOf<'releaseStaged'>): Promise<ResponseOf<'releaseStaged'>>;
}

const OK = { ok: true } as const;

export function createDeviceEndpoints(options: { site: string; devices: Record<string, { sae: string; username?: string }>; pool: SessionPool<JunosDevice>; store: KeyStore }): DeviceEndpoints {
  const { site, devices, pool, store } = options;
  // What each device held at this agent's last read of it, by CKN: what {device, ckn} refers to.
  const deviceSecrets = new Map<string, Map<string, Secret>>();

  const known = (device: string) => {
    if (!devices[device]) throw new AgentRefusal('unknown-device', `device ${device} is not at site ${site} (known: ${Object.keys(devices).join(', ')})`);
  };
  const on = async <T>(device: string, fn: (ops: DeviceOps) => Promise<T>, urgent = false): Promise<T> => {
    known(device);
    try {
      return await pool.use(device, (session) => fn(directOps(device, session)), urgent ? { priority: 'urgent' } : {});
    } catch (e) {
      if (e instanceof AgentRefusal) throw e;
      throw new AgentRefusal('device-error', `device ${device}: ${describeError(e)}`);
    }
  };
  const resolverFor = (device: string, tx: string | undefined): ResolveRef => {
    known(device);
    return (ref: WireSecret) => {
      if ('key' in ref) {
        const sae = devices[device]!.sae;
        const held = store.find({ keyId: ref.key, sae, ...(tx !== undefined ? { tx } : {}) }) ?? store.find({ keyId: ref.key, ...(tx !== undefined ? { tx } : {}) });
        if (!held) {
          throw new AgentRefusal('key-not-held', `agent ${site} does not hold key ${ref.key}${tx !== undefined ? ` for transaction ${tx}` : ''} (restarted, expired or released); nothing was loaded on ${device}`);
        }
        return store.cakFor(held);
      }
      const s = ref.device === device ? deviceSecrets.get(device)?.get(ref.ckn.toLowerCase()) : undefined;
      if (!s) throw new AgentRefusal('secret-not-held', `device ${device} held no secret for CKN ${ref.ckn} of ${ref.device} at agent ${site}'s last read of it; nothing was loaded`);
      return s;
    };
  };

  return {
    async read(b) {
      const config = await on(b.device, (d) => d.readMacsec(b.parts ?? {}));
      deviceSecrets.set(b.device, secretsByCkn(config));
      return { config: configReadToWire(config, b.device) };
    },
    loginUsers: async (b) => ({ users: await on(b.device, (d) => d.loginUsers()) }),
    async facts(b) {
      const f = await on(b.device, (d) => d.facts());
      return { facts: dropUndefined({ hostname: f.hostname, model: f.model, version: f.version, serialNumber: f.serialNumber }) };
    },
    mka: async (b) => ({ sessions: (await on(b.device, (d) => d.mkaSessions())).map(wireSession) }),
    async commit(b) {
      // The coordinator does not know which login this agent uses; removing it would lock the agent out.
      const own = devices[b.device]?.username;
      if (own !== undefined && b.loads.some((l) => l.action === 'remove-login-user' && l.user === own)) {
        throw new AgentRefusal('forbidden', `agent ${site} logs in to ${b.device} as ${own}: refusing to remove that user; nothing was loaded`);
      }
      const resolve = resolverFor(b.device, b.tx);
      const loads = b.loads.map((l) => loadFromWire(l, resolve));
      await on(b.device, (d) => d.commit(loads, { comment: b.comment, ...(b.confirmMinutes !== undefined ? { confirmMinutes: b.confirmMinutes } : {}) }));
      return OK;
    },
    async confirmPending(b) {
      const change = b.change && changeFromWire(b.change, resolverFor(b.device, b.tx));
      await on(b.device, (d) => d.confirmPending(change, b.comment), true);
      return OK;
    },
    async stage(b) {
      const change = changeFromWire(b.change, resolverFor(b.device, b.tx));
      await on(b.device, (d) => d.stage(b.tx, change, { comment: b.comment, confirmMinutes: b.confirmMinutes }));
      return OK;
    },
    async confirmStaged(b) {
      const change = b.change && changeFromWire(b.change, resolverFor(b.device, b.tx));
      await on(b.device, (d) => d.confirmStaged(b.tx, change, b.comment), true);
      return OK;
    },
    async releaseStaged(b) {
      await on(b.device, (d) => d.releaseStaged(b.tx), true);
      return OK;
    },
  };
}

/** An MKA session as the wire carries it: no raw XML, no undefined members. */
function wireSession(s: MkaSession): ResponseOf<'mka'>['sessions'][number] {
  const { raw: _raw, caks, ...rest } = s;
  return dropUndefined({ ...rest, caks: caks.map((c) => dropUndefined({ ...c })) }) as ResponseOf<'mka'>['sessions'][number];
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
