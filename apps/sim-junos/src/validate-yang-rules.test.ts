// What Junos refuses in the modelled hierarchies, per Juniper's 24.4R1 YANG: statements that do
// not exist, values off their type, statements of another platform family, and the junos:must
// rules. Each case is one set of commands and the error it must produce (path, bad element).
import { describe, expect, it } from 'vitest';
import { applySetCommands } from './config-text.js';
import { ConfigSyntaxError, emptyTree, type ConfigNode } from './config-tree.js';
import { xmlToTree } from './config-xml.js';
import { mergeTree } from './config-tree.js';
import type { PlatformFamily } from './platform.js';
import { familyOfModel } from './platform.js';
import { checkCommit, checkSyntax, type ConfigIssue } from './validate.js';
import { parseXmlDocument } from './xml.js';

const CA = 'set security macsec connectivity-association CA';
const CKN = '01'.repeat(32);
const CAK = 'ab'.repeat(32);
const base = [`${CA} security-mode static-cak`, `${CA} cipher-suite gcm-aes-xpn-256`, `${CA} pre-shared-key ckn ${CKN} cak ${CAK}`];

function tree(lines: string[]): ConfigNode {
  const t = emptyTree();
  applySetCommands(t, lines.join('\n'));
  return t;
}
const issues = (lines: string[], family: PlatformFamily = 'junos') => checkCommit(tree(lines), family).map(brief);
const brief = (i: ConfigIssue) => ({ path: i.path.join(' '), bad: i.badElement, message: i.message });
const syntaxError = (lines: string[]) => {
  try {
    tree(lines);
  } catch (e) {
    if (e instanceof ConfigSyntaxError) return { path: e.editPath.join(' '), bad: e.badElement };
    throw e;
  }
  return undefined;
};

describe('statements Junos 24.4R1 does not have', () => {
  it.each([
    ['mka must-secure', [`${CA} mka must-secure`], 'security macsec connectivity-association CA mka', 'must-secure'],
    ['a connectivity-association description', [`${CA} description "x"`], 'security macsec connectivity-association CA', 'description'],
    ['macsec traceoptions level', ['set security macsec traceoptions level all'], 'security macsec traceoptions', 'level'],
    ['macsec traceoptions file match (the file is named once)', ['set security macsec traceoptions file match foo'], 'security macsec traceoptions file', 'foo'],
  ])('refuses %s as a syntax error', (_, lines, path, bad) => {
    expect(syntaxError(lines)).toEqual({ path, bad });
  });

  it('refuses traceoptions file match under security macsec in XML too', () => {
    expect(() => xmlToTree(parseXmlDocument('<configuration><security><macsec><traceoptions><file><filename>m.log</filename><match>x</match></file></traceoptions></macsec></security></configuration>'))).toThrow(/syntax error at \[edit security macsec traceoptions file\] \(match\)/);
  });

  it('reads exclude-protocol as the keyed list it is, and refuses the bare-value XML form', () => {
    const t = tree([...base, `${CA} exclude-protocol lldp`, `${CA} exclude-protocol lacp`]);
    expect(checkCommit(t)).toEqual([]);
    const ok = xmlToTree(parseXmlDocument('<configuration><security><macsec><connectivity-association><name>CA</name><exclude-protocol><name>lldp</name></exclude-protocol></connectivity-association></macsec></security></configuration>'));
    expect(ok.children[0]!.children[0]!.children[0]!.children[0]).toMatchObject({ tag: 'exclude-protocol', name: 'lldp' });
    expect(() => xmlToTree(parseXmlDocument('<configuration><security><macsec><connectivity-association><name>CA</name><exclude-protocol>lldp</exclude-protocol></connectivity-association></macsec></security></configuration>'))).toThrow(/missing name for 'exclude-protocol'/);
    expect(issues([...base, `${CA} exclude-protocol stp`])).toEqual([{ path: 'security macsec connectivity-association CA', bad: 'stp', message: "'stp' is not one of: cdp, lldp, lacp" }]);
  });

  it('accepts cluster ports on SRX (junos-es) only', () => {
    const lines = [...base, 'set security macsec cluster-control-port 0 connectivity-association CA'];
    expect(issues(lines, 'junos-es')).toEqual([]);
    for (const family of ['junos', 'junos-qfx', 'evo'] as const)
      expect(issues(lines, family)).toEqual([{ path: 'security macsec', bad: 'cluster-control-port', message: `syntax error: 'cluster-control-port' is not supported on this platform (${family})` }]);
    expect(issues([...base, 'set security macsec cluster-control-port 2 connectivity-association CA'], 'junos-es')[0]).toMatchObject({ bad: '2', message: "'2' is not within range (0..1)" });
  });

  it('follows each family: transmit-interval 2000..6000, but 2000..10000 on junos-es', () => {
    const lines = [...base, `${CA} mka transmit-interval 8000`];
    expect(issues(lines, 'junos')).toEqual([{ path: 'security macsec connectivity-association CA mka', bad: 'transmit-interval', message: "'8000' is not within range (2000..6000)" }]);
    expect(issues(lines, 'junos-qfx')).toHaveLength(1);
    expect(issues(lines, 'evo')).toHaveLength(1);
    expect(issues(lines, 'junos-es')).toEqual([]);
  });

  it('has mka suspend-on-request on junos and evo, macsec interface units everywhere but junos-es', () => {
    const suspend = [...base, `${CA} mka suspend-on-request`];
    expect(['junos', 'junos-qfx', 'junos-es', 'evo'].map((f) => issues(suspend, f as PlatformFamily).length)).toEqual([0, 1, 1, 0]);
    const unit = [...base, 'set security macsec interfaces xe-0/0/1 unit 0 connectivity-association CA'];
    expect(['junos', 'junos-qfx', 'junos-es', 'evo'].map((f) => issues(unit, f as PlatformFamily).length)).toEqual([0, 0, 1, 0]);
  });

  it('derives the family from the device model', () => {
    expect(['mx204', 'mx10003', 'ex4650', 'qfx5120-48y', 'qfx5130-32cd', 'srx345', 'ptx10008', 'acx7100-48l', 'acx5448'].map(familyOfModel)).toEqual([
      'junos', 'junos', 'junos-qfx', 'junos-qfx', 'evo', 'junos-es', 'evo', 'evo', 'junos',
    ]);
  });
});

describe('values off their YANG type are refused at load', () => {
  it.each([
    [`${CA} security-mode static`, 'security macsec connectivity-association CA', 'security-mode'],
    [`${CA} offset 20`, 'security macsec connectivity-association CA', 'offset'],
    [`${CA} cipher-suite gcm-aes-512`, 'security macsec connectivity-association CA', 'cipher-suite'],
    [`${CA} mka transmit-interval 1999`, 'security macsec connectivity-association CA mka', 'transmit-interval'],
    [`${CA} mka sak-rekey-interval 59`, 'security macsec connectivity-association CA mka', 'sak-rekey-interval'],
    [`${CA} mka sak-rekey-interval 86401`, 'security macsec connectivity-association CA mka', 'sak-rekey-interval'],
    [`${CA} mka key-server-priority 256`, 'security macsec connectivity-association CA mka', 'key-server-priority'],
    [`${CA} replay-protect replay-window-size 65536`, 'security macsec connectivity-association CA replay-protect', 'replay-window-size'],
    [`set security macsec connectivity-association ${'c'.repeat(33)} security-mode static-cak`, 'security macsec', 'c'.repeat(33)],
    [`${CA} fallback-key ckn 0g cak ${CAK}`, 'security macsec connectivity-association CA fallback-key', 'ckn'],
    [`${CA} fallback-key ckn 02 cak xyz`, 'security macsec connectivity-association CA fallback-key', 'cak'],
    [`set security authentication-key-chains key-chain "K C" tolerance 1`, 'security authentication-key-chains', 'K C'],
    [`set security authentication-key-chains key-chain ${'k'.repeat(33)} tolerance 1`, 'security authentication-key-chains', 'k'.repeat(33)],
    [`set security authentication-key-chains key-chain KC description "${'d'.repeat(81)}"`, 'security authentication-key-chains key-chain KC', 'description'],
    ['set security authentication-key-chains key-chain KC tolerance 4294967296', 'security authentication-key-chains key-chain KC', 'tolerance'],
    ['set security authentication-key-chains key-chain KC key 1 algorithm sha-256', 'security authentication-key-chains key-chain KC key 1', 'algorithm'],
    ['set security authentication-key-chains key-chain KC key 1 options extended', 'security authentication-key-chains key-chain KC key 1', 'options'],
    ['set event-options generate-event e1 time-interval 59', 'event-options generate-event e1', 'time-interval'],
    ['set event-options generate-event e1 time-interval 2592001', 'event-options generate-event e1', 'time-interval'],
    [`set event-options generate-event ${'e'.repeat(64)} time-interval 60`, 'event-options', 'e'.repeat(64)],
    ['set event-options generate-event e1 time-interval 60\nset event-options generate-event e1 time-of-day 10:00:00', 'event-options generate-event e1', 'time-of-day'],
  ])('%s', (line, path, bad) => {
    const found = checkSyntax(tree([...base, ...line.split('\n')])).map(brief);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ path, bad });
  });

  it('allows at most 10 generate-events', () => {
    const events = Array.from({ length: 11 }, (_, i) => `set event-options generate-event e${i} time-interval 60`);
    expect(checkSyntax(tree(events.slice(0, 10)))).toEqual([]);
    expect(checkSyntax(tree(events)).map(brief)).toEqual([{ path: 'event-options', bad: 'generate-event', message: "too many 'generate-event' entries: 11 (at most 10)" }]);
  });

  it("takes a real device's $9$ secrets as given: it cannot decrypt them, Junos would", () => {
    const enc = '$9$dQbgoGUHqfTaZjmTQnCA0O1RhyKM8LNdvWX-wsgoZGjq.f5QF/Ct';
    expect(checkCommit(tree([`${CA} security-mode static-cak`, `${CA} pre-shared-key ckn ${CKN} cak "${enc}"`, `${CA} fallback-key ckn 02 cak "${enc}"`]))).toEqual([]);
  });

  it('never quotes a secret', () => {
    const found = checkCommit(tree([...base, `${CA} fallback-key ckn 02 cak ${'cd'.repeat(33)}`]));
    expect(found.length).toBeGreaterThan(0);
    expect(JSON.stringify(found)).not.toContain('cdcd');
  });
});

describe('junos:must rules are checked at commit', () => {
  const noMode = [`${CA} cipher-suite gcm-aes-xpn-256`];
  it.each([
    ['mka', `${CA} mka should-secure`, 'security macsec connectivity-association CA', 'mka', 'MKA configuration can be set only for dynamic/static-cak modes'],
    ['key-server-priority', `${CA} mka key-server-priority 1`, 'security macsec connectivity-association CA mka', 'key-server-priority', 'Allowed only for static-cak mode'],
    ['pre-shared-key', `${CA} pre-shared-key ckn ${CKN} cak ${CAK}`, 'security macsec connectivity-association CA', 'pre-shared-key', 'Pre-shared key configuration allowed only in static-cak mode'],
    ['fallback-key', `${CA} fallback-key ckn 02 cak ${CAK}`, 'security macsec connectivity-association CA', 'fallback-key', 'Fallback key configuration allowed only in static-cak mode'],
    ['pre-shared-key-chain', `${CA} pre-shared-key-chain KC\nset security authentication-key-chains key-chain KC tolerance 10`, 'security macsec connectivity-association CA', 'pre-shared-key-chain', 'key-chain configuration is allowed only in static-cak mode'],
  ])('%s needs security-mode static-cak', (_, line, path, bad, message) => {
    expect(issues([...noMode, ...line.split('\n')])).toContainEqual({ path, bad, message });
    expect(issues([...noMode, `${CA} security-mode static-sak`, ...line.split('\n')])).toContainEqual({ path, bad, message });
  });

  it('refuses a fallback CKN equal to the primary CKN', () => {
    expect(issues([...base, `${CA} fallback-key ckn ${CKN} cak ${'cd'.repeat(32)}`])).toEqual([
      { path: 'security macsec connectivity-association CA fallback-key', bad: 'ckn', message: 'fallback-key CKN cannot be same as pre-shared-key CKN' },
    ]);
  });

  it('refuses a start-time without time-interval, and script users that do not exist', () => {
    expect(issues(['set event-options generate-event e1 time-of-day 10:00:00', 'set event-options generate-event e1 start-time 2026-01-01.00:00'])).toContainEqual({
      path: 'event-options generate-event e1', bad: 'start-time', message: "'time-interval' is mandatory for 'start-time' configuration",
    });
    const script = 'set event-options event-script file qkd.py python-script-user qkd';
    expect(issues([script])).toEqual([{ path: 'event-options event-script file qkd.py', bad: 'python-script-user', message: 'User is not defined' }]);
    expect(issues([script, 'set system login user qkd class super-user'])).toEqual([]);
  });

  it('ignores inactive statements for must rules, as Junos does', () => {
    expect(issues([...noMode, `${CA} mka should-secure`, `deactivate security macsec connectivity-association CA mka`])).toEqual([]);
  });
});

describe('loads merge before they are checked', () => {
  it('checks the merged candidate, not the load alone', () => {
    const t = tree(base);
    mergeTree(t, tree([`${CA} mka key-server-priority 7`]));
    expect(checkCommit(t)).toEqual([]);
  });
});
