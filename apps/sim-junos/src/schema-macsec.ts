// `security macsec` as Juniper's 24.4R1 YANG has it: grouping `security-macsec` of
// junos-conf-security (junos, junos-qfx, junos-es, evo; the must rules from
// junos-with-extensions are in validate-must.ts). Where the families differ it says so:
//   - mka transmit-interval: 2000..6000 (junos, junos-qfx, evo), 2000..10000 (junos-es)
//   - mka suspend-on-request / suspend-for: junos and evo (not junos-qfx, junos-es)
//   - interfaces NAME unit: junos, junos-qfx and evo (not junos-es)
//   - cluster-control-port / cluster-data-port: junos-es (SRX chassis clusters) only
// (evo's security-macsec grouping is identical to junos'.)
import {
  container,
  enumLeaf,
  flag,
  keyList,
  leaf,
  list,
  str,
  traceFile,
  uint,
  type Schema,
} from './schema-types.js';

const CIPHER_SUITES = ['gcm-aes-128', 'gcm-aes-256', 'gcm-aes-xpn-128', 'gcm-aes-xpn-256'] as const;
const SECURITY_MODES = ['dynamic', 'static-sak', 'static-cak'] as const;
const OFFSETS = ['0', '30', '50'] as const;
const EXCLUDE_PROTOCOLS = ['cdp', 'lldp', 'lacp'] as const;
const MACSEC_TRACE_FLAGS = ['config', 'debug', 'telemetry', 'normal', 'all'] as const;
const MKA_TRACE_FLAGS = ['mka-packets', 'state', 'to-secy', 'keys', 'normal', 'all'] as const;

/** CKN (pre-shared-key, fallback-key, key-chain key-name): length 2..64 and
 *  posix-pattern "^([0-9a-fA-F][0-9a-fA-F]){1,32}$". */
export const cknLeaf: Schema = str(2, 64, {
  pattern: { test: (v) => /^(?:[0-9a-fA-F]{2}){1,32}$/.test(v), message: 'Must be an even-length string up to 64 hexadecimal digits (0-9, a-f, A-F)' },
});
/** CAK: length 1..64 and posix-pattern "^[[:xdigit:]]+$"; secret. */
const cakLeaf: Schema = str(1, 64, {
  secret: true,
  pattern: { test: (v) => /^[0-9a-fA-F]+$/.test(v), message: 'Must be hexadecimal digits (0-9, a-f, A-F)' },
});
/** pre-shared-key-chain: posix-pattern "^.{1,32}$". */
const chainRef: Schema = { kind: 'leaf', pattern: { test: (v) => v.length >= 1 && v.length <= 32, message: 'Must be string of 32 characters or less' } };

// grouping macsec-trace-options
const macsecTraceoptions = container({
  file: traceFile({ replace: flag, 'no-stamp': flag }),
  flag: keyList({ enum: MACSEC_TRACE_FLAGS }),
});
// grouping mka-trace-options
const mkaTraceoptions = container({
  file: traceFile({ replace: flag, 'no-stamp': flag }),
  flag: keyList({ enum: MKA_TRACE_FLAGS }),
});

const psk = (): Schema => container({ ckn: cknLeaf, cak: cakLeaf });

const connectivityAssociation = list(
  {
    'cipher-suite': enumLeaf(CIPHER_SUITES),
    'security-mode': enumLeaf(SECURITY_MODES),
    'sak-hash-128': flag,
    'secure-channel': list({
      id: container({ 'mac-address': leaf, 'port-id': uint(1, 65535) }),
      direction: enumLeaf(['inbound', 'outbound']),
      encryption: flag,
      offset: enumLeaf(OFFSETS),
      'include-sci': flag,
      'security-association': list(
        { key: str(32, 32, { secret: true, pattern: { test: (v) => /^[0-9a-fA-F]+$/.test(v), message: 'Must be hexadecimal digits (0-9, a-f, A-F) of length 32' } }) },
        { range: [0, 3] },
      ),
    }),
    mka: container({
      'transmit-interval': uint(2000, 6000, { familyRange: { 'junos-es': [2000, 10000] } }),
      'sak-rekey-interval': uint(60, 86400),
      'bounded-delay': flag,
      'suspend-on-request': { kind: 'flag', families: ['junos', 'evo'] },
      'suspend-for': { kind: 'flag', families: ['junos', 'evo'] },
      'key-server-priority': uint(0, 255),
      'should-secure': flag,
      'eapol-address': leaf,
      'disable-icv-indicator': flag,
    }),
    'replay-protect': container({ 'replay-window-size': uint(0, 65535) }),
    'no-encryption': flag,
    'disable-preceding-key': flag,
    offset: enumLeaf(OFFSETS),
    'include-sci': flag,
    'pre-shared-key': psk(),
    'fallback-key': psk(),
    'pre-shared-key-chain': chainRef,
    'exclude-protocol': keyList({ enum: EXCLUDE_PROTOCOLS }),
  },
  { length: [1, 32] },
);

const portChildren = { 'connectivity-association': leaf, traceoptions: mkaTraceoptions };

export const MACSEC: Schema = container({
  traceoptions: macsecTraceoptions,
  'connectivity-association': connectivityAssociation,
  interfaces: list(
    {
      unit: list(portChildren, { range: [0, 16385], families: ['junos', 'junos-qfx', 'evo'] }),
      'connectivity-association': leaf,
      'pre-shared-key-chain': chainRef,
      'replay-protect': container({ 'replay-window-size': uint(0, 65535) }),
      traceoptions: mkaTraceoptions,
    },
    { grouped: true },
  ),
  'cluster-control-port': list(portChildren, { range: [0, 1], families: ['junos-es'] }),
  'cluster-data-port': list(portChildren, { families: ['junos-es'] }),
});
