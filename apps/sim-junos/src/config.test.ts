import { describe, expect, it } from 'vitest';
import { applySetCommands, parseConfigText, renderCompare, renderConfigSet, renderConfigText } from './config-text.js';
import { activeTree, cloneNode, ConfigSyntaxError, emptyTree, getPath, leafValue, mergeTree, nodesEqual, type ConfigNode } from './config-tree.js';
import { jsonToTree } from './config-json.js';
import { treeToXml, xmlToTree } from './config-xml.js';
import { revealSecret } from './secret.js';
import { parseXmlDocument } from './xml.js';

const CAK = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const SECRET = 'ffeeddccbbaa99887766554433221100';

const SET = `
set security macsec connectivity-association CA1 security-mode static-cak
set security macsec connectivity-association CA1 cipher-suite gcm-aes-256
set security macsec connectivity-association CA1 pre-shared-key ckn 00aa cak ${CAK}
set security macsec connectivity-association CA2 pre-shared-key-chain KC
set security macsec interfaces ge-0/0/1 connectivity-association CA1
set security authentication-key-chains key-chain KC key 0 key-name 0102 secret ${SECRET} start-time "2026-01-01.00:00:00 +0000"
set event-options generate-event every-hour time-interval 3600
set event-options policy P events [ every-hour boot ]
set event-options policy P then event-script qkd.py
set event-options event-script file qkd.py python-script-user admin
set system static-host-mapping kme1 inet 10.0.0.1
set interfaces ge-0/0/1 apply-macro qkd kme-host 10.0.0.1
set interfaces ge-0/0/1 unit 0 family inet address 10.1.1.1/24
set protocols lldp interface all
`;

function fromSet(text = SET): ConfigNode {
  const t = emptyTree();
  applySetCommands(t, text);
  return t;
}

const reload = (incoming: ConfigNode) => {
  const t = emptyTree();
  mergeTree(t, incoming);
  return t;
};

describe('configuration tree', () => {
  it('reads the statements the project uses from set commands', () => {
    const t = fromSet();
    const ca = getPath(t, 'security', 'macsec', ['connectivity-association', 'CA1'], 'pre-shared-key');
    expect(leafValue(ca, 'ckn')).toBe('00aa');
    expect(leafValue(ca, 'cak')).toBe(CAK);
    const key = getPath(t, 'security', 'authentication-key-chains', ['key-chain', 'KC'], ['key', '0']);
    expect(leafValue(key, 'start-time')).toBe('2026-01-01.00:00:00 +0000');
    expect(getPath(t, 'event-options', ['policy', 'P'])?.children.filter((c) => c.tag === 'events').map((c) => c.value)).toEqual(['every-hour', 'boot']);
    expect(getPath(t, 'interfaces', ['interface', 'ge-0/0/1'], ['apply-macro', 'qkd'], ['data', 'kme-host'])?.children[0]?.value).toBe('10.0.0.1');
  });

  it('round-trips set → text → tree and set → XML → tree, unknown statements included', () => {
    const t = fromSet();
    expect(nodesEqual(reload(parseConfigText(renderConfigText(t))), t)).toBe(true);
    expect(nodesEqual(reload(xmlToTree(parseXmlDocument(treeToXml(t)))), t)).toBe(true);
    const again = emptyTree();
    applySetCommands(again, renderConfigSet(t));
    expect(nodesEqual(again, t)).toBe(true);
    expect(renderConfigText(t)).toContain('protocols {\n    lldp {\n        interface all;');
  });

  it('renders each change in XML though unchanged statements are rendered once and remembered by node', () => {
    const t1 = emptyTree();
    applySetCommands(t1, [
      'set system host-name r1',
      'set security macsec connectivity-association CA cipher-suite gcm-aes-256',
      'set security macsec connectivity-association CA pre-shared-key-chain KC',
      'set security macsec interfaces et-0/0/0 connectivity-association CA',
      `set security authentication-key-chains key-chain KC key 0 key-name ${'01'.repeat(32)} secret ${'0a'.repeat(32)} start-time 2026-01-01.00:00:00`,
    ].join('\n'));
    const fresh = (t: ConfigNode) => treeToXml(cloneNode(t)); // new nodes: nothing remembered
    const x1 = treeToXml(t1);
    expect(treeToXml(t1)).toBe(x1);
    // A load copies only what it changes (mergeTree, copy on write): CA and the key chain change.
    const t2: ConfigNode = { ...t1, children: t1.children.slice() };
    mergeTree(t2, parseConfigText(`security { macsec { connectivity-association CA { cipher-suite gcm-aes-128; } }
      authentication-key-chains { key-chain KC { inactive: key 1 { key-name ${'02'.repeat(32)}; secret ${'0b'.repeat(32)}; start-time "2026-01-02.00:00:00"; } } } }`));
    const x2 = treeToXml(t2);
    expect(x2).toBe(fresh(t2));
    expect(x2).toContain('<cipher-suite>gcm-aes-128</cipher-suite>');
    expect(x2).toMatch(/<key inactive="inactive"><name>1<\/name>/);
    // A set load edits a deep copy in place (applySetCommands): its nodes are new ones.
    const t3 = cloneNode(t2);
    applySetCommands(t3, 'deactivate security macsec interfaces et-0/0/0\nset system host-name r3');
    expect(treeToXml(t3)).toBe(fresh(t3));
    expect(treeToXml(t3)).toMatch(/<interfaces inactive="inactive"><name>et-0\/0\/0<\/name>/);
    expect(treeToXml(t3)).toContain('<host-name>r3</host-name>');
    // The earlier trees still render as they were.
    expect(treeToXml(t1)).toBe(x1);
    expect(x1).toBe(fresh(t1));
    expect(treeToXml(t2)).toBe(x2);
  });

  it('renders like Junos: grouped lists, implicit interface list, apply-macro', () => {
    const text = renderConfigText(fromSet());
    expect(text).toContain('        interfaces {\n            ge-0/0/1 {\n                connectivity-association CA1;');
    expect(text).toContain('generate-event {\n        every-hour {\n            time-interval 3600;');
    expect(text).toContain('interfaces {\n    ge-0/0/1 {\n        apply-macro qkd {\n            kme-host 10.0.0.1;');
    expect(text).toContain('events [ every-hour boot ];');
  });

  it('never shows a CAK or key-chain secret in clear, in any format, yet reads its own $9$ back', () => {
    const t = fromSet();
    for (const out of [renderConfigText(t), renderConfigSet(t), treeToXml(t)]) {
      expect(out).not.toContain(CAK);
      expect(out).not.toContain(SECRET);
    }
    const text = renderConfigText(t);
    expect(text).toMatch(/cak "\$9\$[^"]+"; ## SECRET-DATA/);
    const shown = /cak "([^"]+)"/.exec(text)![1]!;
    expect(revealSecret(shown)).toBe(CAK);
    expect(leafValue(getPath(reload(parseConfigText(text)), 'security', 'macsec', ['connectivity-association', 'CA1'], 'pre-shared-key'), 'cak')).toBe(CAK);
  });

  it('applies delete commands and warns about absent statements', () => {
    const t = fromSet();
    expect(applySetCommands(t, 'delete security macsec connectivity-association CA2\ndelete event-options policy P events boot\ndelete protocols ospf')).toEqual([
      'statement not found: protocols ospf',
    ]);
    expect(getPath(t, 'security', 'macsec', ['connectivity-association', 'CA2'])).toBeUndefined();
    expect(applySetCommands(t, `delete security macsec connectivity-association CA9 pre-shared-key cak ${CAK}`)).toEqual([
      'statement not found: security macsec connectivity-association CA9 pre-shared-key cak <secret>',
    ]);
    expect(getPath(t, 'event-options', ['policy', 'P'])?.children.filter((c) => c.tag === 'events').map((c) => c.value)).toEqual(['every-hour']);
  });

  it('honours replace: and delete: in text and operation attributes in XML', () => {
    const t = fromSet();
    mergeTree(t, parseConfigText('security { macsec { replace: connectivity-association CA1 { pre-shared-key-chain KC; } delete: connectivity-association CA2; } }'));
    const ca1 = getPath(t, 'security', 'macsec', ['connectivity-association', 'CA1'])!;
    expect(ca1.children.map((c) => c.tag)).toEqual(['pre-shared-key-chain']);
    expect(getPath(t, 'security', 'macsec', ['connectivity-association', 'CA2'])).toBeUndefined();
    const xml = '<configuration><system><static-host-mapping operation="delete"><name>kme1</name></static-host-mapping></system><protocols delete="delete"/></configuration>';
    mergeTree(t, xmlToTree(parseXmlDocument(xml)));
    expect(getPath(t, 'system', ['static-host-mapping', 'kme1'])).toBeUndefined();
    expect(getPath(t, 'protocols')).toBeUndefined();
  });

  it('keeps inactive statements, shows them as Junos does, and leaves them out of the active view', () => {
    const t = fromSet();
    applySetCommands(t, `set security authentication-key-chains key-chain KC key 1 key-name 0303 secret ${SECRET} start-time 2026-01-02.00:00:00\ndeactivate security authentication-key-chains key-chain KC key 1`);
    const text = renderConfigText(t);
    expect(text).toContain('            inactive: key 1 {');
    expect(renderConfigSet(t)).toContain('deactivate security authentication-key-chains key-chain KC key 1\n');
    expect(treeToXml(t)).toContain('<key inactive="inactive"><name>1</name>');
    for (const back of [reload(parseConfigText(text)), reload(xmlToTree(parseXmlDocument(treeToXml(t))))]) expect(nodesEqual(back, t)).toBe(true);
    const active = getPath(activeTree(t), 'security', 'authentication-key-chains', ['key-chain', 'KC'])!;
    expect(active.children.filter((c) => c.tag === 'key').map((c) => c.name)).toEqual(['0']);
    applySetCommands(t, 'activate security authentication-key-chains key-chain KC key 1');
    expect(renderConfigText(t)).not.toContain('inactive:');
    expect(applySetCommands(t, 'deactivate system ntp')).toEqual(['statement not found: system ntp']);
  });

  it('reads traceoptions file with its positional file name, in set and text form', () => {
    const t = emptyTree();
    applySetCommands(t, 'set event-options traceoptions file script.log\nset event-options traceoptions file size 10m files 5\nset event-options traceoptions flag all');
    const file = getPath(t, 'event-options', 'traceoptions', 'file');
    expect([leafValue(file, 'filename'), leafValue(file, 'size'), leafValue(file, 'files')]).toEqual(['script.log', '10m', '5']);
    expect(nodesEqual(reload(parseConfigText('event-options { traceoptions { file script.log size 10m files 5; flag all; } }')), t)).toBe(true);
  });

  it('refuses bad set commands with the line and the element', () => {
    const t = fromSet();
    expect(() => applySetCommands(t, 'set security macsec connectivity-association')).toThrow(ConfigSyntaxError);
    try {
      applySetCommands(t, 'set system host-name r1\nset security macsec connectivity-association CA1 pre-shared-key ckn');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigSyntaxError);
      expect((e as ConfigSyntaxError).line).toBe(2);
      expect((e as ConfigSyntaxError).badElement).toBe('ckn');
      expect((e as ConfigSyntaxError).editPath).toEqual(['security', 'macsec', 'connectivity-association', 'CA1', 'pre-shared-key']);
    }
    expect(() => applySetCommands(t, 'frobnicate system')).toThrow(/unknown command 'frobnicate'/);
  });

  it('refuses unknown statements inside the MACsec and key-chain hierarchies, in every format', () => {
    const syntax = (f: () => unknown, path: string[], bad: string) => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigSyntaxError);
        expect((e as ConfigSyntaxError).message).toMatch(/^syntax error/);
        expect((e as ConfigSyntaxError).editPath).toEqual(path);
        expect((e as ConfigSyntaxError).badElement).toBe(bad);
      }
    };
    syntax(() => applySetCommands(emptyTree(), 'set security macsec xyz'), ['security', 'macsec'], 'xyz');
    syntax(() => applySetCommands(emptyTree(), 'set security macsec connectivity-association CA pre-shared-key ckm 00'), ['security', 'macsec', 'connectivity-association', 'CA', 'pre-shared-key'], 'ckm');
    syntax(() => parseConfigText('security { authentication-key-chains { key-chain KC { key 1 { start 2026; } } } }'), ['security', 'authentication-key-chains', 'key-chain', 'KC', 'key', '1'], 'start');
    syntax(() => xmlToTree(parseXmlDocument('<configuration><security><macsec><xyz/></macsec></security></configuration>')), ['security', 'macsec'], 'xyz');
    // elsewhere, unknown statements are kept as they are
    expect(() => applySetCommands(emptyTree(), 'set security ike proposal P1 authentication-method pre-shared-keys')).not.toThrow();
  });

  it('never quotes a secret in a syntax error', () => {
    const errorOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return String((e as Error).message) + String((e as ConfigSyntaxError).badElement);
      }
      throw new Error('expected a syntax error');
    };
    const text = errorOf(() => parseConfigText(`security { macsec { connectivity-association CA1 { pre-shared-key { cak "${CAK}"`));
    expect(text).toMatch(/missing ';' or '\{'/);
    expect(text).toContain('cak <secret>');
    expect(text).not.toContain(CAK.slice(0, 8));
    const json = errorOf(() => jsonToTree(`{"configuration": {"security": {"macsec": {"cak": ${SECRET}}}}}`));
    expect(json).toMatch(/invalid JSON/);
    expect(json).not.toContain(SECRET.slice(0, 8));
  });

  it('refuses malformed curly-brace text with a line number', () => {
    expect(() => parseConfigText('system {\n  host-name r1;\n')).toThrow(/missing '}'/);
    expect(() => parseConfigText('system {\n  host-name "r1;\n}')).toThrow(/unterminated quoted string/);
    expect(() => parseConfigText('}\n')).toThrow(/unexpected '}'.*line 1/);
  });

  it('shows a compare diff under [edit …] headers without secrets', () => {
    const a = fromSet();
    const b = fromSet();
    applySetCommands(b, `set security macsec connectivity-association CA1 pre-shared-key ckn 00bb cak ${'ab'.repeat(32)}`);
    const diff = renderCompare(a, b);
    expect(diff).toContain('[edit security macsec connectivity-association CA1 pre-shared-key]\n-    ckn 00aa;\n');
    expect(diff).toContain('+    ckn 00bb;');
    expect(diff).toMatch(/\+    cak "\$9\$[^"]+"; ## SECRET-DATA/);
    expect(diff).not.toContain(CAK);
    expect(diff).not.toContain('ab'.repeat(32));
    expect(renderCompare(a, fromSet())).toBe('');
  });
});
