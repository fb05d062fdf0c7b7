// Property: whatever set commands build, the tree survives text, XML and set rendering unchanged
// (secrets included, through their $9$ form).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySetCommands, parseConfigText, renderConfigSet, renderConfigText } from './config-text.js';
import { ConfigSyntaxError, emptyTree, mergeTree, nodesEqual } from './config-tree.js';
import { jsonToTree, treeToJson } from './config-json.js';
import { treeToXml, xmlToTree } from './config-xml.js';
import { parseXmlDocument } from './xml.js';

const name = fc.stringMatching(/^[a-z0-9][a-z0-9_.\/-]{0,11}$/);
const keyword = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const hex = (len: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${len}}$`));
const text = fc.stringMatching(/^[A-Za-z0-9 ._:+-]{1,20}$/).filter((s) => s.trim() === s && s !== '');

const command = fc.oneof(
  fc.tuple(name, hex(64), hex(64)).map(([ca, ckn, cak]) => `set security macsec connectivity-association ${ca} pre-shared-key ckn ${ckn} cak ${cak}`),
  fc.tuple(name, fc.constantFrom('gcm-aes-128', 'gcm-aes-xpn-256')).map(([ca, s]) => `set security macsec connectivity-association ${ca} cipher-suite ${s}`),
  fc.tuple(name, name).map(([itf, ca]) => `set security macsec interfaces ${itf} connectivity-association ${ca}`),
  fc.tuple(name, fc.integer({ min: 0, max: 63 }), hex(64), hex(32), fc.date({ min: new Date(2020, 0, 1), max: new Date(2040, 0, 1), noInvalidDate: true })).map(
    ([kc, i, ckn, cak, d]) =>
      `set security authentication-key-chains key-chain ${kc} key ${i} key-name ${ckn} secret ${cak} start-time "${d.toISOString().slice(0, 19).replace('T', '.')} +0000"`,
  ),
  fc.tuple(name, fc.integer({ min: 60, max: 86_400 })).map(([ev, s]) => `set event-options generate-event ${ev} time-interval ${s}`),
  fc.tuple(name, name).map(([p, ev]) => `set event-options policy ${p} events ${ev}`),
  fc.tuple(name, fc.ipV4()).map(([h, ip]) => `set system static-host-mapping ${h} inet ${ip}`),
  fc.tuple(name, name, text).map(([itf, key, v]) => `set interfaces ${itf} apply-macro qkd ${key} "${v}"`),
  fc.tuple(name, text).map(([itf, d]) => `set interfaces ${itf} description "${d}"`),
  fc.tuple(keyword, keyword, text).map(([a, b, v]) => `set protocols ${a} ${b} "${v}"`),
  fc.tuple(keyword, name, keyword).map(([a, n, f]) => `set protocols ${a} interface ${n} ${f}`),
  fc.tuple(name, fc.ipV4()).map(([h, ip]) => `set system static-host-mapping ${h} inet ${ip}\ndeactivate system static-host-mapping ${h}`),
  fc.tuple(name, fc.integer({ min: 0, max: 63 })).map(([kc, i]) => `set security authentication-key-chains key-chain ${kc} key ${i} key-name 00\ndeactivate security authentication-key-chains key-chain ${kc} key ${i}`),
  fc.tuple(name).map(([itf]) => `set interfaces ${itf} apply-macro qkd kme-port 443\ndeactivate interfaces ${itf} apply-macro qkd kme-port`),
);

type Tree = ReturnType<typeof emptyTree>;
/** Junos keeps its own statement order; entries of one keyword keep theirs, which is what counts. */
const canonical = (n: Tree): Tree => ({
  ...n,
  children: n.children.map(canonical).sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0)),
});
const reload = (incoming: Tree) => {
  const t = emptyTree();
  mergeTree(t, incoming);
  return canonical(t);
};

describe('configuration round trips (property)', () => {
  it('set → tree → text / XML / set → tree is the identity', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 25 }), (commands) => {
        const tree = emptyTree();
        applySetCommands(tree, commands.join('\n'));
        const want = canonical(tree);
        expect(nodesEqual(reload(parseConfigText(renderConfigText(tree))), want)).toBe(true);
        expect(nodesEqual(reload(xmlToTree(parseXmlDocument(treeToXml(tree)))), want)).toBe(true);
        expect(nodesEqual(reload(jsonToTree(treeToJson(tree))), want)).toBe(true);
        const again = emptyTree();
        applySetCommands(again, renderConfigSet(tree));
        expect(nodesEqual(canonical(again), want)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('configuration parsers on arbitrary input (property)', () => {
  const junk = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 4 }),
    fc.json({ maxDepth: 3 }).map((j) => `{"configuration":{"security":{"macsec":${j}}}}`),
    fc.array(fc.constantFrom('set', 'delete', 'security', 'macsec', 'interfaces', '{', '}', ';', '[', ']', '"', 'x y', 'ge-0/0/0', '#', '/*', '*/', '\n', 'replace:', 'key', '64'), { maxLength: 40 }).map((a) => a.join(' ')),
  );
  it('either parse or throw ConfigSyntaxError — never anything else', () => {
    fc.assert(
      fc.property(junk, (input) => {
        for (const run of [() => parseConfigText(input), () => applySetCommands(emptyTree(), input), () => jsonToTree(input)]) {
          try {
            run();
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigSyntaxError);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
