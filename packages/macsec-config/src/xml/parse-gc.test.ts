import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { heapAfterGc } from '../testing/heap.js';
import { parseXmlOrdered, type XmlElement } from './parse.js';

// A parse's objects must die young. A builder made as an object literal of closures with a getter
// kept each tree alive through young-generation collections, so every reply's tree was copied and
// promoted to the old space (MiBs per scavenge) and left for a full GC: most of the client's GC
// with thousands of replies in flight (README, "Performance"). Measured in a child with V8's
// own GC trace: what its scavenges copied out of the young generation.
const PARSE = fileURLToPath(new URL('./parse.ts', import.meta.url));
const LOOP = (fn: string) => `
  const { ${fn} } = await import(${JSON.stringify(PARSE)});
  const doc = '<rpc-reply message-id="1"><data>' + '<item a="1"><name>x</name><value>y</value></item>'.repeat(20) + '</data></rpc-reply>';
  for (let i = 0; i < 5000; i++) ${fn}(doc);
  console.log('measure');
  for (let i = 0; i < 40000; i++) ${fn}(doc);
`;

async function survivedPerScavenge(fn: string): Promise<number> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-gc-nvp', '--import', 'tsx', '--input-type=module', '-e', LOOP(fn)], { maxBuffer: 64 << 20 });
  const measured = stdout.slice(stdout.indexOf('measure'));
  const survived = [...measured.matchAll(/gc=s .*?new_space_survived=(\d+)/g)].map((m) => Number(m[1]));
  expect(survived.length).toBeGreaterThan(3); // the loop did run the young generation full several times
  return Math.max(...survived);
}

describe('parse garbage', () => {
  for (const fn of ['parseXml', 'parseXmlOrdered']) {
    it(`${fn}: a dropped tree does not survive a scavenge`, async () => {
      expect(await survivedPerScavenge(fn)).toBeLessThan(256 << 10); // was 2.7–3.4 MiB per scavenge
    });
  }
});

// Most elements of a configuration reply are leaves. Each used to hold an empty attributes object
// and an empty children array of its own, and each parent an array grown by push (room for 17
// after its first child): 208 bytes an element on this document, 92 now. A fleet's read parses
// 4,000 such replies at once (package README, "XML").
describe('what a parsed tree holds', () => {
  const doc =
    '<rpc-reply message-id="1"><configuration><key-chain><name>KC</name>' +
    '<key><name>1</name><secret>s</secret><key-name>k</key-name><start-time>t</start-time></key>'.repeat(3) +
    '</key-chain>' +
    '<interfaces><name>et-0/0/1</name><connectivity-association>CA1</connectivity-association></interfaces>'.repeat(4) +
    '</configuration></rpc-reply>';

  it('its elements and their text, ~100 bytes an element', () => {
    const before = heapAfterGc();
    const kept = Array.from({ length: 2000 }, () => parseXmlOrdered(doc));
    const grown = heapAfterGc() - before;
    let elements = 0;
    const count = (els: readonly XmlElement[]): void => {
      for (const e of els) {
        elements++;
        count(e.children);
      }
    };
    count(kept[0]!);
    expect(elements).toBe(31);
    expect(grown / kept.length / elements).toBeLessThan(140);
  });

  it('is read-only where elements share: a leaf has the frozen empty attributes and children', () => {
    const [reply] = parseXmlOrdered('<rpc-reply a="1"><x>1</x><y/><z b="2"/></rpc-reply>');
    const [x, y, z] = reply!.children;
    expect([x!.children, y!.children, z!.children].every((c) => c.length === 0 && Object.isFrozen(c))).toBe(true);
    expect(x!.attributes).toBe(y!.attributes);
    expect(Object.isFrozen(x!.attributes)).toBe(true);
    expect(z!.attributes).toEqual({ b: '2' });
    expect(reply!.attributes).toEqual({ a: '1' });
    expect(() => (x!.children as XmlElement[]).push(y!)).toThrow(TypeError);
    expect(reply!.children.map((e) => [e.name, e.text])).toEqual([['x', '1'], ['y', ''], ['z', '']]);
  });
});
