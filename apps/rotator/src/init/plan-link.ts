// What `init` wants for each link on a device (plan.ts): the link's connectivity association,
// its interfaces' bindings (and apply-macro qkd), and its key chain with the running key carried.
import type { CipherSuite, ConnectivityAssociation, KeyChain, MacsecConfig, MacsecInterface, QkdMacro } from '@qkd-macsec/macsec-config';
import type { EngineConfig, ResolvedLink } from '../engine/config-view.js';
import { carriedKey, describeCarry } from './adopt.js';
import type { DevicePlan, PlanOptions } from './plan.js';

type Mode = EngineConfig['rotation']['mode'];
type ResolvedEnd = ResolvedLink['ends'][number];

export function planConnectivityAssociation(plan: DevicePlan, link: ResolvedLink, have: MacsecConfig, mode: Mode, suite: CipherSuite): void {
  const want = desiredCa(link, mode, suite);
  const current = have.connectivityAssociations?.find((c) => c.name === want.name);
  const diffs = caDifferences(want, current, mode);
  if (!diffs.length) return;
  plan.changes.push(...diffs);
  // Replacing the whole CA drops a stale pre-shared-key(-chain); static-cak keeps its key.
  const keep = mode === 'static-cak' && current?.preSharedKey ? { preSharedKey: current.preSharedKey } : {};
  const kept = current
    ? { ...(current.mka ? { mka: current.mka } : {}), ...(current.excludeProtocols ? { excludeProtocols: current.excludeProtocols } : {}), ...(current.fallbackKey ? { fallbackKey: current.fallbackKey } : {}) }
    : {};
  (current ? (plan.replace.connectivityAssociations ??= []) : (plan.merge.connectivityAssociations ??= [])).push({ ...kept, ...want, ...keep });
}

export function planInterfaces(plan: DevicePlan, link: ResolvedLink, end: ResolvedEnd, have: MacsecConfig, config: Pick<EngineConfig, 'init' | 'saes' | 'kmes'>): void {
  const macro = wantedMacro(config, end.sae);
  for (const iface of end.interfaces) {
    const cur = have.interfaces?.find((i) => i.name === iface);
    const entry: MacsecInterface = { name: iface, connectivityAssociation: link.connectivityAssociation };
    let differs = false;
    if (cur?.connectivityAssociation !== link.connectivityAssociation) {
      plan.changes.push(`macsec interface ${iface}: connectivity-association ${cur?.connectivityAssociation ?? '(none)'} -> ${link.connectivityAssociation}`);
      differs = true;
    }
    if (macro && !sameMacro(cur?.qkd, macro)) {
      plan.changes.push(`macsec interface ${iface}: apply-macro qkd ${describeMacro(cur?.qkd)} -> ${describeMacro(macro)}`);
      entry.qkd = macro;
      differs = true;
    }
    if (differs) (plan.merge.interfaces ??= []).push(entry);
  }
}

/** Key-chain mode: the link's chain, its tolerance, and the key the link runs now carried into it. */
export function planKeyChain(plan: DevicePlan, link: ResolvedLink, end: ResolvedEnd, have: MacsecConfig, options: PlanOptions, now: Date, suite: CipherSuite): void {
  const chain = have.keyChains?.find((c) => c.name === link.keyChain);
  if (!chain) plan.changes.push(`key-chain ${link.keyChain}: add`);
  // The chain itself comes with its first key (a chain without keys is not valid Junos): the
  // running key carried over (below) or a first key from the KMEs (init-apply.ts).
  const entry: KeyChain = { name: link.keyChain, keys: [] };
  if (options.tolerance !== undefined && chain?.tolerance !== options.tolerance) {
    if (chain) plan.changes.push(`key-chain ${link.keyChain}: tolerance ${chain.tolerance ?? '(none: Junos 3600)'} -> ${options.tolerance}`);
    entry.tolerance = options.tolerance;
  }
  // Adoption: the key the link runs now (a static pre-shared-key, e.g. field script v3.2, or
  // the active key of another chain) goes into the chain as its active key.
  const carry = carriedKey(link, end.interfaces, have, now, suite);
  if (carry) {
    plan.changes.push(describeCarry(link, carry));
    entry.keys.push(carry.key);
  }
  if (entry.tolerance !== undefined || entry.keys.length) (plan.merge.keyChains ??= []).push(entry);
}

function desiredCa(link: ResolvedLink, mode: Mode, suite: CipherSuite): ConnectivityAssociation {
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

