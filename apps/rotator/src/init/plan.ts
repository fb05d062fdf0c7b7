// What `init` wants on each device, compared with what the device holds: a list of readable
// differences and the change that fixes exactly those (nothing that is already right is touched).
// Pure: no I/O.
import type { CipherSuite, ConnectivityAssociation, EventOptions, KeyChain, MacsecConfig, MacsecInterface, QkdMacro, StaticHostMapping } from '@qkd-macsec/macsec-config';
import type { EngineConfig, ResolvedLink } from '../engine/config-view.js';
import { carriedKey, describeCarry } from './adopt.js';

export interface PlanOptions {
  /** The rotator's clock: a carried key starts before it. Default: now. */
  now?: Date;
  /** The cipher suite per link (platform defaults); default config.rotation.cipherSuite. */
  suites?: ReadonlyMap<string, CipherSuite>;
  /** `tolerance` for every key chain of the links (config rotation.keyChainTolerance). */
  tolerance?: number;
}

export interface DevicePlan {
  device: string;
  changes: string[];
  /** Entries rendered with replace="replace" (a connectivity association that must lose a statement). */
  replace: MacsecConfig;
  /** Entries merged. */
  merge: MacsecConfig;
}

function desiredCa(link: ResolvedLink, mode: EngineConfig['rotation']['mode'], suite: CipherSuite): ConnectivityAssociation {
  return {
    name: link.connectivityAssociation,
    securityMode: 'static-cak',
    cipherSuite: suite,
    ...(mode === 'key-chain' ? { preSharedKeyChain: link.keyChain } : {}),
  };
}

function caDifferences(want: ConnectivityAssociation, have: ConnectivityAssociation | undefined, mode: string): string[] {
  if (!have) return [`connectivity-association ${want.name}: add (security-mode static-cak, cipher-suite ${want.cipherSuite}${want.preSharedKeyChain ? `, pre-shared-key-chain ${want.preSharedKeyChain}` : ''})`];
  const out: string[] = [];
  if (have.securityMode !== 'static-cak') out.push(`connectivity-association ${want.name}: security-mode ${have.securityMode ?? '(none)'} -> static-cak`);
  if (have.cipherSuite !== want.cipherSuite) out.push(`connectivity-association ${want.name}: cipher-suite ${have.cipherSuite ?? '(none)'} -> ${want.cipherSuite}`);
  if (mode === 'key-chain') {
    if (have.preSharedKeyChain !== want.preSharedKeyChain) out.push(`connectivity-association ${want.name}: pre-shared-key-chain ${have.preSharedKeyChain ?? '(none)'} -> ${want.preSharedKeyChain}`);
    if (have.preSharedKey) out.push(`connectivity-association ${want.name}: remove pre-shared-key (the key chain replaces it)`);
  } else if (have.preSharedKeyChain) out.push(`connectivity-association ${want.name}: remove pre-shared-key-chain ${have.preSharedKeyChain} (static-cak mode uses pre-shared-key)`);
  return out;
}

/**
 * The plan for one device: its connectivity associations, interface bindings, key chains and
 * (optionally) static host mappings. First keys are added by the caller (they need the KMEs).
 */
export function planDevice(
  device: string,
  links: readonly ResolvedLink[],
  have: MacsecConfig,
  config: Pick<EngineConfig, 'rotation' | 'init' | 'saes' | 'kmes'>,
  options: PlanOptions = {},
): DevicePlan {
  const { mode } = config.rotation;
  const now = options.now ?? new Date();
  const changes: string[] = [];
  const replace: MacsecConfig = {};
  const merge: MacsecConfig = {};
  for (const link of links) {
    const end = link.ends.find((e) => e.device === device);
    if (!end) continue;
    const suite = options.suites?.get(link.name) ?? config.rotation.cipherSuite;
    const want = desiredCa(link, mode, suite);
    const current = have.connectivityAssociations?.find((c) => c.name === want.name);
    const diffs = caDifferences(want, current, mode);
    if (diffs.length) {
      changes.push(...diffs);
      // Replacing the whole CA drops a stale pre-shared-key(-chain); static-cak keeps its key.
      const keep = mode === 'static-cak' && current?.preSharedKey ? { preSharedKey: current.preSharedKey } : {};
      const kept = current
        ? { ...(current.mka ? { mka: current.mka } : {}), ...(current.excludeProtocols ? { excludeProtocols: current.excludeProtocols } : {}), ...(current.fallbackKey ? { fallbackKey: current.fallbackKey } : {}) }
        : {};
      (current ? (replace.connectivityAssociations ??= []) : (merge.connectivityAssociations ??= [])).push({ ...kept, ...want, ...keep });
    }
    const macro = wantedMacro(config, end.sae);
    for (const iface of end.interfaces) {
      const cur = have.interfaces?.find((i) => i.name === iface);
      const entry: MacsecInterface = { name: iface, connectivityAssociation: link.connectivityAssociation };
      let differs = false;
      if (cur?.connectivityAssociation !== link.connectivityAssociation) {
        changes.push(`macsec interface ${iface}: connectivity-association ${cur?.connectivityAssociation ?? '(none)'} -> ${link.connectivityAssociation}`);
        differs = true;
      }
      if (macro && !sameMacro(cur?.qkd, macro)) {
        changes.push(`macsec interface ${iface}: apply-macro qkd ${describeMacro(cur?.qkd)} -> ${describeMacro(macro)}`);
        entry.qkd = macro;
        differs = true;
      }
      if (differs) (merge.interfaces ??= []).push(entry);
    }
    if (mode === 'key-chain') {
      const chain = have.keyChains?.find((c) => c.name === link.keyChain);
      if (!chain) changes.push(`key-chain ${link.keyChain}: add`);
      // The chain itself comes with its first key (a chain without keys is not valid Junos): the
      // running key carried over (below) or a first key from the KMEs (init/index.ts).
      const entry: KeyChain = { name: link.keyChain, keys: [] };
      if (options.tolerance !== undefined && chain?.tolerance !== options.tolerance) {
        if (chain) changes.push(`key-chain ${link.keyChain}: tolerance ${chain.tolerance ?? '(none: Junos 3600)'} -> ${options.tolerance}`);
        entry.tolerance = options.tolerance;
      }
      // Adoption: the key the link runs now (a static pre-shared-key, e.g. field script v3.2, or
      // the active key of another chain) goes into the chain as its active key.
      const carry = carriedKey(link, end.interfaces, have, now, suite);
      if (carry) {
        changes.push(describeCarry(link, carry));
        entry.keys.push(carry.key);
      }
      if (entry.tolerance !== undefined || entry.keys.length) (merge.keyChains ??= []).push(entry);
    }
  }
  for (const want of config.init?.staticHostMappings ?? []) {
    const cur = have.staticHostMappings?.find((h) => h.name === want.name);
    const same = cur && [...(cur.inet ?? [])].sort().join(',') === [...want.inet].sort().join(',');
    if (!same) {
      changes.push(`static-host-mapping ${want.name}: inet ${cur?.inet?.join(' ') || '(none)'} -> ${want.inet.join(' ')}`);
      const entry: StaticHostMapping = { name: want.name, inet: [...want.inet] };
      (cur ? (replace.staticHostMappings ??= []) : (merge.staticHostMappings ??= [])).push(entry);
    }
  }
  const ev = config.init?.eventOptions;
  if (ev) {
    const want: EventOptions = {};
    const haveEv = have.eventOptions ?? {};
    const pick = <K extends 'generateEvents' | 'policies' | 'eventScripts'>(key: K, what: string) => {
      for (const item of ev[key] ?? []) {
        const cur = (haveEv[key] as Array<{ name: string }> | undefined)?.find((x) => x.name === item.name);
        if (cur && canonical(cur) === canonical(item)) continue;
        changes.push(`event-options ${what} ${item.name}: ${cur ? 'update' : 'add'}`);
        ((want[key] ??= []) as unknown[]).push(item);
      }
    };
    pick('generateEvents', 'generate-event');
    pick('policies', 'policy');
    pick('eventScripts', 'event-script file');
    if (ev.traceoptions && canonical(ev.traceoptions) !== canonical(haveEv.traceoptions ?? {})) {
      changes.push(`event-options traceoptions: ${haveEv.traceoptions ? 'update' : 'add'} (${describeTrace(ev.traceoptions)})`);
      want.traceoptions = ev.traceoptions;
    }
    if (Object.keys(want).length) merge.eventOptions = want;
  }
  return { device, changes, replace, merge };
}

function describeTrace(t: NonNullable<EventOptions['traceoptions']>): string {
  return [t.file && `file ${t.file}`, t.size && `size ${t.size}`, t.files && `files ${t.files}`, t.flags?.length && `flag ${t.flags.join(' ')}`].filter(Boolean).join(', ') || 'empty';
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function wantedMacro(config: Pick<EngineConfig, 'init' | 'saes' | 'kmes'>, sae: string): QkdMacro | undefined {
  const opt = config.init?.applyMacros;
  if (!opt) return undefined;
  const url = config.kmes?.[config.saes[sae]?.kme ?? '']?.url;
  if (!url) return undefined;
  const u = new URL(url);
  const o = typeof opt === 'object' ? opt : {};
  return {
    kmeHost: u.hostname.replace(/^\[|\]$/g, ''),
    kmePort: u.port ? Number(u.port) : 443,
    kmeCa: true,
    kmeMethod: o.kmeMethod ?? 'post',
    ...(o.kmeKeyidCheck !== undefined ? { kmeKeyidCheck: o.kmeKeyidCheck } : {}),
  };
}

function sameMacro(a: QkdMacro | undefined, b: QkdMacro): boolean {
  return !!a && a.kmeHost === b.kmeHost && a.kmePort === b.kmePort && a.kmeCa === b.kmeCa && a.kmeMethod === b.kmeMethod && (b.kmeKeyidCheck === undefined || a.kmeKeyidCheck === b.kmeKeyidCheck);
}

function describeMacro(m: QkdMacro | undefined): string {
  if (!m) return '(none)';
  return [`kme-host ${m.kmeHost ?? '-'}`, `kme-port ${m.kmePort ?? '-'}`, `kme-ca ${m.kmeCa ?? '-'}`, `kme-method ${m.kmeMethod ?? '-'}`].join(' ');
}

/**
 * Why a link needs a (new) fallback-key, or undefined when every end's connectivity association
 * carries the one the rotator installed (recorded in the state). A fallback-key the state does not
 * know — e.g. the field script's, a hash of the CA name anyone can compute — is replaced.
 */
export function fallbackProblem(link: ResolvedLink, configs: ReadonlyMap<string, MacsecConfig>, recordedCkn: string | undefined): string | undefined {
  const have = link.ends.map((e) => configs.get(e.device)?.connectivityAssociations?.find((c) => c.name === link.connectivityAssociation)?.fallbackKey?.ckn.toLowerCase());
  if (have.every((c) => c === undefined)) return 'add';
  if (!recordedCkn) return 'replace (not one the rotator installed from a QKD key)';
  if (have.some((c) => c !== recordedCkn.toLowerCase())) return 'replace (the ends differ)';
  return undefined;
}

/** Key names present on every end of a link: a shared key means the link has a working key. */
export function sharedKeyNames(link: ResolvedLink, configs: ReadonlyMap<string, MacsecConfig>, mode: string, now: Date = new Date(), suite: CipherSuite = 'gcm-aes-256'): string[] {
  const sets = link.ends.map((e) => {
    const cfg = configs.get(e.device);
    if (mode === 'key-chain') {
      const names = (cfg?.keyChains?.find((c) => c.name === link.keyChain)?.keys ?? []).map((k) => k.keyName?.toLowerCase()).filter((x): x is string => !!x);
      const carried = cfg ? carriedKey(link, e.interfaces, cfg, now, suite)?.key.keyName?.toLowerCase() : undefined;
      return new Set(carried ? [...names, carried] : names);
    }
    const psk = cfg?.connectivityAssociations?.find((c) => c.name === link.connectivityAssociation)?.preSharedKey?.ckn;
    return new Set(psk ? [psk.toLowerCase()] : []);
  });
  const [first, ...rest] = sets;
  return [...(first ?? [])].filter((n) => rest.every((s) => s.has(n)));
}

export function chainOrEmpty(config: MacsecConfig | undefined, name: string): KeyChain {
  return config?.keyChains?.find((c) => c.name === name) ?? { name, keys: [] };
}
