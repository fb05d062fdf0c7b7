import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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
