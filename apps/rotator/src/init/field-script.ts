// What the field script (PyEZ, v3.x) left on a device, found in its configuration: its event
// script and the event-options that run it, its script user, its MACsec shapes (v3.2: static CAK
// with CKN = 32-hex prefix + key_ID and `apply-macro qkd` tags with kme-host as a URL; v3.3: a key
// chain with a fallback-key, transmit-interval 2000 and sak-rekey-interval 300). init reports it,
// and removes the event-options, script entries and users only with `--remove-field-script`:
// while they stay, the script keeps running on the box and changing keys behind the rotator.
// Pure: no I/O.
import type { DeleteTarget, MacsecConfig } from '@qkd-macsec/macsec-config';
import type { Load } from '../fleet/ops.js';

type FieldScriptVersion = 'v3.2' | 'v3.3' | 'unknown';

export interface FieldScriptFinding {
  version: FieldScriptVersion;
  /** One line per artefact, e.g. `event-script file qkd-macsec.py (python-script-user qkd)`. */
  artefacts: string[];
  /** What `--remove-field-script` deletes: model targets, and loads of their own (users, traceoptions). */
  removal: { delete: DeleteTarget[]; loads: Load[]; lines: string[] };
  /** Running on-box parts (policies): while they stay, the script still rotates keys. */
  running: string[];
}

export interface FieldScriptInput {
  config: MacsecConfig;
  /** `system login user` names on the device. */
  users: readonly string[];
  /** The account the rotator logs in as: never removed. */
  rotatorUser?: string;
  /** Names the rotator's own config.init.eventOptions uses (events, policies, scripts, their users, `traceoptions`): never removed. */
  keep?: ReadonlySet<string>;
  /** Connectivity associations, key chains and interfaces the rotator's links use on this device. */
  ours?: { cas: ReadonlySet<string>; chains: ReadonlySet<string>; interfaces: ReadonlySet<string> };
}

const SCRIPT = /qkd.*\.(py|slax)$/i;

/** CKN = 32 hex prefix + a UUID's 32 hex digits (version 1..8, RFC 4122 variant). */
export function prefixUuidCkn(ckn: string): { prefix: string } | undefined {
  const m = /^([0-9a-f]{32})([0-9a-f]{12})([1-8][0-9a-f]{3})([89ab][0-9a-f]{3})([0-9a-f]{12})$/i.exec(ckn);
  return m ? { prefix: m[1]!.toLowerCase() } : undefined;
}

export function findFieldScript(input: FieldScriptInput): FieldScriptFinding | undefined {
  const { config } = input;
  const ev = config.eventOptions ?? {};
  const keep = input.keep ?? new Set<string>();
  const artefacts: string[] = [];
  const removal: FieldScriptFinding['removal'] = { delete: [], loads: [], lines: [] };
  const running: string[] = [];
  const versions = new Set<FieldScriptVersion>();

  const scripts = (ev.eventScripts ?? []).filter((s) => SCRIPT.test(s.name) && !keep.has(s.name));
  for (const s of scripts) {
    const v = /v(\d+\.\d+)/i.exec(s.name)?.[1];
    if (v === '3.2' || v === '3.3') versions.add(`v${v}`);
    artefacts.push(`event-script file ${s.name}${s.pythonScriptUser ? ` (python-script-user ${s.pythonScriptUser})` : ''}`);
    removal.delete.push({ kind: 'event-script-file', name: s.name });
    removal.lines.push(`event-options event-script file ${s.name}: remove`);
  }
  const names = new Set(scripts.map((s) => s.name));
  const policies = (ev.policies ?? []).filter((p) => p.eventScripts.some((s) => names.has(s)) && !keep.has(p.name));
  const otherEvents = new Set((ev.policies ?? []).filter((p) => !policies.includes(p)).flatMap((p) => p.events));
  for (const p of policies) {
    artefacts.push(`event-options policy ${p.name} (events ${p.events.join(', ')} -> ${p.eventScripts.join(', ')})`);
    running.push(`policy ${p.name} runs ${p.eventScripts.join(', ')} on ${p.events.join(', ')}`);
    removal.delete.push({ kind: 'event-policy', name: p.name });
    removal.lines.push(`event-options policy ${p.name}: remove`);
  }
  const events = new Set(policies.flatMap((p) => p.events));
  for (const g of ev.generateEvents ?? []) {
    if (!events.has(g.name) || otherEvents.has(g.name) || keep.has(g.name)) continue;
    artefacts.push(`event-options generate-event ${g.name} (${'timeInterval' in g && g.timeInterval ? `every ${g.timeInterval} s` : `at ${(g as { timeOfDay?: string }).timeOfDay}`})`);
    removal.delete.push({ kind: 'generate-event', name: g.name });
    removal.lines.push(`event-options generate-event ${g.name}: remove`);
  }
  const trace = ev.traceoptions;
  if (trace?.file && /qkd/i.test(trace.file) && !keep.has('traceoptions')) {
    artefacts.push(`event-options traceoptions (file ${trace.file})`);
    removal.loads.push({ action: 'remove-event-traceoptions' });
    removal.lines.push(`event-options traceoptions (file ${trace.file}): remove`);
  }
  for (const user of new Set(scripts.map((s) => s.pythonScriptUser).filter((u): u is string => !!u))) {
    if (!input.users.includes(user)) continue;
    if (keep.has(user)) {
      artefacts.push(`system login user ${user} (the script's user — init.eventOptions runs a script as it: kept)`);
      continue;
    }
    if (user === input.rotatorUser) {
      artefacts.push(`system login user ${user} (the script's user — and the rotator's own login: kept)`);
      continue;
    }
    artefacts.push(`system login user ${user} (the script's user)`);
    removal.loads.push({ action: 'remove-login-user', user });
    removal.lines.push(`system login user ${user}: remove`);
  }

  // A prefix + key_ID CKN alone proves nothing (the rotator's own prefix-uuid strategy writes one,
  // and one SHA-256 CKN in eight has a UUID's shape): it counts only next to the script's other marks.
  const corroborated = scripts.length > 0 || (config.interfaces ?? []).some((i) => i.qkd);
  const macsecFound = macsecArtefacts(config, input.ours, removal, corroborated);
  artefacts.push(...macsecFound.lines);
  for (const v of macsecFound.versions) versions.add(v);
  if (artefacts.length === 0) return undefined;
  const version: FieldScriptVersion = versions.size === 1 ? [...versions][0]! : versions.has('v3.3') ? 'v3.3' : 'unknown';
  return { version, artefacts, removal, running };
}

/** The MACsec shapes each version wrote; foreign CAs/chains no interface uses any more go with --remove-field-script. */
function macsecArtefacts(config: MacsecConfig, ours: FieldScriptInput['ours'], removal: FieldScriptFinding['removal'], corroborated: boolean): { lines: string[]; versions: Set<FieldScriptVersion> } {
  const lines: string[] = [];
  const versions = new Set<FieldScriptVersion>();
  const macroIfaces = (config.interfaces ?? []).filter((i) => i.qkd);
  for (const i of macroIfaces) {
    const url = /^https?:\/\//i.test(i.qkd?.kmeHost ?? '');
    if (url) versions.add('v3.2');
    lines.push(`macsec interface ${i.name}: apply-macro qkd (kme-host ${i.qkd?.kmeHost ?? '-'}${url ? ', a URL: v3.2' : ''})`);
  }
  for (const ca of config.connectivityAssociations ?? []) {
    const psk = ca.preSharedKey && corroborated ? prefixUuidCkn(ca.preSharedKey.ckn) : undefined;
    if (psk) {
      versions.add('v3.2');
      lines.push(`connectivity-association ${ca.name}: static pre-shared-key, CKN = prefix ${psk.prefix} + key_ID (v3.2)`);
    }
    const v33 = ca.preSharedKeyChain && ca.fallbackKey && ca.mka?.transmitInterval === 2000 && ca.mka?.sakRekeyInterval === 300;
    if (v33) {
      versions.add('v3.3');
      lines.push(`connectivity-association ${ca.name}: pre-shared-key-chain ${ca.preSharedKeyChain}, fallback-key, transmit-interval 2000, sak-rekey-interval 300 (v3.3)`);
    }
    // Removable once init has moved the link's interfaces to the rotator's CA: not ours, and no
    // interface outside the rotator's links still uses it.
    const stillBound = (config.interfaces ?? []).some((i) => i.connectivityAssociation === ca.name && !ours?.interfaces.has(i.name));
    if ((psk || v33) && ours && !ours.cas.has(ca.name) && !stillBound) {
      removal.delete.push({ kind: 'connectivity-association', name: ca.name });
      removal.lines.push(`connectivity-association ${ca.name}: remove (the field script's; no interface uses it after init)`);
      if (ca.preSharedKeyChain && !ours.chains.has(ca.preSharedKeyChain)) {
        removal.delete.push({ kind: 'key-chain', name: ca.preSharedKeyChain });
        removal.lines.push(`key-chain ${ca.preSharedKeyChain}: remove (the field script's)`);
      }
    }
  }
  return { lines, versions };
}
