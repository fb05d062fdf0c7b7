// The `junos:must` rules of Juniper's 24.4R1 `-with-extensions` models for the modelled
// hierarchies (junos-with-extensions/junos-conf-security: groupings security-macsec,
// macsec-trace-options, mka-trace-options, security-authentication-key-chains;
// junos-conf-event-options: event-options-group). yanglint does not check them; Junos does, at
// commit. Each message is the YANG's `junos:must-message`. Runs on the active configuration.
import { findChild, getPath, leafValue, type ConfigNode } from './config-tree.js';
import type { ConfigIssue } from './validate.js';

type Add = (path: string[], badElement: string, message: string) => void;

const entries = (node: ConfigNode | undefined, tag: string) => node?.children.filter((c) => c.tag === tag) ?? [];
const has = (node: ConfigNode | undefined, tag: string) => node !== undefined && findChild(node, tag) !== undefined;

const SUITE_NAMES: Record<string, string> = { 'gcm-aes-256': 'GCM-AES-256', 'gcm-aes-xpn-128': 'GCM-AES-XPN-128', 'gcm-aes-xpn-256': 'GCM-AES-XPN-256' };

// grouping security-macsec / connectivity-association
function checkCa(ca: ConfigNode, root: ConfigNode, path: string[], add: Add): void {
  const mode = leafValue(ca, 'security-mode');
  const cakOrDynamic = mode === 'static-cak' || mode === 'dynamic';
  const suite = leafValue(ca, 'cipher-suite');
  // cipher-suite enums gcm-aes-256 / gcm-aes-xpn-128 / gcm-aes-xpn-256: must (!(".. security-mode static-sak"))
  if (suite && Object.hasOwn(SUITE_NAMES, suite) && mode === 'static-sak') add(path, 'cipher-suite', `${SUITE_NAMES[suite]} cipher suite not allowed for static-sak mode`);
  if (has(ca, 'sak-hash-128') && suite !== 'gcm-aes-256' && suite !== 'gcm-aes-xpn-256')
    add(path, 'sak-hash-128', 'Allowed only for cipher-suite gcm-aes-256 or gcm-aes-xpn-256');
  for (const sc of entries(ca, 'secure-channel'))
    if (mode !== 'static-sak') add(path, sc.name ?? 'secure-channel', 'Secure-channel configuration allowed only for static-sak mode');
  const mka = findChild(ca, 'mka');
  if (mka) {
    if (!cakOrDynamic) add(path, 'mka', 'MKA configuration can be set only for dynamic/static-cak modes');
    const mp = [...path, 'mka'];
    if (has(mka, 'transmit-interval') && has(mka, 'bounded-delay')) add(mp, 'transmit-interval', 'Might not be configured with bounded-delay');
    if (has(mka, 'suspend-on-request') && mode === 'dynamic') add(mp, 'suspend-on-request', 'Not supported for dynamic mode');
    if (has(mka, 'suspend-for')) {
      if (!getPath(root, 'system', 'commit', 'synchronize')) add(mp, 'suspend-for', 'Synchronized commits must be configured with warm-standby');
      if (!getPath(root, 'chassis', 'redundancy', 'graceful-switchover')) add(mp, 'suspend-for', 'Graceful switchover needs to be configured');
      if (mode === 'dynamic') add(mp, 'suspend-for', 'Not supported for dynamic mode');
    }
    for (const tag of ['key-server-priority', 'eapol-address'])
      if (has(mka, tag) && mode !== 'static-cak') add(mp, tag, 'Allowed only for static-cak mode');
  }
  if (has(ca, 'replay-protect') && !cakOrDynamic) add(path, 'replay-protect', 'Not allowed for static-sak mode');
  if (has(ca, 'no-encryption')) {
    if (has(ca, 'offset')) add(path, 'no-encryption', 'Offset can be configured only with encryption');
    if (!cakOrDynamic) add(path, 'no-encryption', 'Encryption for static-sak mode should be configured under secure-channel');
  }
  if (has(ca, 'disable-preceding-key') && mode !== 'static-cak') add(path, 'disable-preceding-key', 'Enabling configuration allowed only in static-cak mode');
  if (has(ca, 'offset') && !cakOrDynamic) add(path, 'offset', 'Offset for static-sak mode should be configured under secure-channel');
  if (has(ca, 'include-sci') && !cakOrDynamic) add(path, 'include-sci', 'Not allowed for static-sak mode');
  const psk = findChild(ca, 'pre-shared-key');
  if (psk && mode !== 'static-cak') add(path, 'pre-shared-key', 'Pre-shared key configuration allowed only in static-cak mode');
  const fallback = findChild(ca, 'fallback-key');
  if (fallback) {
    if (mode !== 'static-cak') add(path, 'fallback-key', 'Fallback key configuration allowed only in static-cak mode');
    // fallback-key/ckn: must (!(".. .. pre-shared-key ckn $$"))
    const ckn = leafValue(fallback, 'ckn');
    if (ckn !== undefined && ckn === leafValue(psk, 'ckn')) add([...path, 'fallback-key'], 'ckn', 'fallback-key CKN cannot be same as pre-shared-key CKN');
  }
  const chain = leafValue(ca, 'pre-shared-key-chain');
  if (chain !== undefined) {
    if (psk) add(path, 'pre-shared-key-chain', 'May not be configured with pre-shared-key');
    if (!getPath(root, 'security', 'authentication-key-chains', ['key-chain', chain])) add(path, 'pre-shared-key-chain', 'authentication-key-chains not defined !!');
    if (mode !== 'static-cak') add(path, 'pre-shared-key-chain', 'key-chain configuration is allowed only in static-cak mode');
  }
  if (entries(ca, 'exclude-protocol').length && !cakOrDynamic) add(path, 'exclude-protocol', 'Not allowed for static-sak mode');
}

// macsec-trace-options / mka-trace-options: list flag must (".. file")
function checkTrace(trace: ConfigNode | undefined, path: string[], add: Add): void {
  if (trace && entries(trace, 'flag').length && !has(trace, 'file')) add([...path, 'traceoptions'], 'flag', 'Trace file name required to enable tracing');
}

// security-macsec / interfaces
function checkInterface(itf: ConfigNode, macsec: ConfigNode, root: ConfigNode, path: string[], add: Add): void {
  const caDefined = (name: string) => findChild(macsec, 'connectivity-association', name);
  const ca = leafValue(itf, 'connectivity-association');
  if (ca !== undefined && !caDefined(ca)) add(path, 'connectivity-association', 'Connectivity association not defined');
  const chain = leafValue(itf, 'pre-shared-key-chain');
  if (chain !== undefined && !getPath(root, 'security', 'authentication-key-chains', ['key-chain', chain]))
    add(path, 'pre-shared-key-chain', 'authentication-key-chains not defined !!');
  if (has(itf, 'traceoptions') && ca === undefined) add(path, 'traceoptions', 'Connectivity association should be configured on interface to enable traceoptions');
  checkTrace(findChild(itf, 'traceoptions'), path, add);
  for (const unit of entries(itf, 'unit')) {
    const up = [...path, 'unit', unit.name ?? ''];
    if (ca !== undefined) add([...path, 'unit'], unit.name ?? 'unit', 'Cannot configure connectivity association on both physical and logical interface');
    const unitCa = leafValue(unit, 'connectivity-association');
    if (unitCa !== undefined) {
      if (!caDefined(unitCa)) add(up, 'connectivity-association', 'Connectivity association not defined');
      else if (has(caDefined(unitCa), 'pre-shared-key-chain')) add(up, 'connectivity-association', 'Pre-shared keychain not supported for IFL macsec');
    }
    if (has(unit, 'traceoptions') && has(itf, 'traceoptions')) add(up, 'traceoptions', 'Cannot configure traceoptions on both IFD and IFL');
    checkTrace(findChild(unit, 'traceoptions'), up, add);
  }
}

// security-authentication-key-chains / key-chain / key
function checkKeyChains(root: ConfigNode, add: Add): void {
  for (const chain of entries(getPath(root, 'security', 'authentication-key-chains'), 'key-chain')) {
    for (const key of entries(chain, 'key')) {
      const path = ['security', 'authentication-key-chains', 'key-chain', chain.name ?? '', 'key', key.name ?? ''];
      if (has(key, 'fallback') && leafValue(key, 'options') !== 'isis-enhanced') add(path, 'fallback', 'sha algorithm required isis-enhanced');
      if (has(key, 'ao-attribute') && leafValue(key, 'algorithm') !== 'ao') add(path, 'ao-attribute', 'Can only be configured with authentication-algorithm ao');
    }
  }
}

// event-options-group
function checkEventOptions(root: ConfigNode, add: Add): void {
  const eo = findChild(root, 'event-options');
  if (!eo) return;
  const userDefined = (u: string) => getPath(root, 'system', 'login', ['user', u]) !== undefined;
  for (const ev of entries(eo, 'generate-event')) {
    // start-time: must ((!(".. time-of-day") && ".. time-interval"))
    if (has(ev, 'start-time') && (has(ev, 'time-of-day') || !has(ev, 'time-interval')))
      add(['event-options', 'generate-event', ev.name ?? ''], 'start-time', "'time-interval' is mandatory for 'start-time' configuration");
  }
  for (const policy of entries(eo, 'policy')) {
    for (const script of entries(findChild(policy, 'then'), 'event-script')) {
      const path = ['event-options', 'policy', policy.name ?? '', 'then', 'event-script', script.name ?? ''];
      const user = leafValue(script, 'user-name');
      if (user !== undefined && !userDefined(user)) add(path, 'user-name', 'User is not defined');
      if (has(script, 'output-filename') && !has(script, 'destination')) add(path, 'output-filename', "'destination' statement must also be included");
      for (const d of entries(script, 'destination'))
        if (!findChild(eo, 'destinations', d.name)) add([...path, 'destination'], d.name ?? 'destination', 'Destination is not defined');
    }
  }
  for (const file of entries(findChild(eo, 'event-script'), 'file')) {
    const path = ['event-options', 'event-script', 'file', file.name ?? ''];
    const user = leafValue(file, 'python-script-user');
    if (user !== undefined && !userDefined(user)) add(path, 'python-script-user', 'User is not defined');
    if (has(file, 'cert-file') && !has(file, 'source')) add(path, 'cert-file', 'source must be defined');
  }
  const trace = findChild(eo, 'traceoptions');
  if (has(trace, 'no-remote-trace') && !getPath(root, 'system', 'tracing'))
    add(['event-options', 'traceoptions'], 'no-remote-trace', "'no-remote-trace' is valid only when [system tracing] is configured");
}

/** Every `junos:must` rule of the modelled hierarchies that `tree` (active statements only) breaks. */
export function checkMustRules(tree: ConfigNode): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const add: Add = (path, badElement, message) => out.push({ severity: 'error', path, badElement, message });
  const macsec = getPath(tree, 'security', 'macsec');
  if (macsec) {
    checkTrace(findChild(macsec, 'traceoptions'), ['security', 'macsec'], add);
    for (const ca of entries(macsec, 'connectivity-association')) checkCa(ca, tree, ['security', 'macsec', 'connectivity-association', ca.name ?? ''], add);
    for (const itf of entries(macsec, 'interfaces')) checkInterface(itf, macsec, tree, ['security', 'macsec', 'interfaces', itf.name ?? ''], add);
    for (const tag of ['cluster-control-port', 'cluster-data-port'])
      for (const port of entries(macsec, tag)) {
        const path = ['security', 'macsec', tag, port.name ?? ''];
        const ca = leafValue(port, 'connectivity-association');
        if (ca !== undefined && !findChild(macsec, 'connectivity-association', ca)) add(path, 'connectivity-association', 'Connectivity association not defined');
        checkTrace(findChild(port, 'traceoptions'), path, add);
      }
  }
  checkKeyChains(tree, add);
  checkEventOptions(tree, add);
  return out;
}
