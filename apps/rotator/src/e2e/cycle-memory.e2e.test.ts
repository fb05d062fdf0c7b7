// What a cycle keeps once every link is keyed and planned: not the devices' configurations. A
// configuration's strings (key names, `$9$` secrets) are V8 sliced strings of the reply they were
// read from, so a configuration kept is its whole reply kept — at 4,000 devices through both
// commits and the MKA reads, promoted and marked by every full collection. Each reply here carries
// 2 MiB of comment, so a kept one shows in the heap.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { JunosDevice } from '@qkd-macsec/junos-netconf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInitialisedBench, type Bench } from './testing/harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = (): number => {
  /x/.exec('x'); // RegExp.input (process-wide) holds the last string a regex ran on
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
};
const MiB = 1 << 20;

let bench: Bench;
beforeAll(async () => {
  bench = await startInitialisedBench();
}, 60_000);
afterAll(async () => {
  await bench?.close();
});

/** The device as the harness connects it, each configuration reply 2 MiB longer (an XML comment, which the reader skips). */
async function connectPadded(name: string): Promise<JunosDevice> {
  const device = await bench.connectDevice(name);
  const padded: JunosDevice['getConfigurationRaw'] = async (...args) => {
    const r = await device.getConfigurationRaw(...args);
    return { ...r, raw: r.raw.replace('<configuration', `<!-- ${'x'.repeat(2 * MiB)} --><configuration`) };
  };
  return new Proxy(device, { get: (target, key, receiver) => (key === 'getConfigurationRaw' ? padded : Reflect.get(target, key, receiver)) });
}

describe('what a cycle keeps of the configurations it read', () => {
  it('nothing, once every end is confirmed: the heap then holds none of the replies', async () => {
    let atConfirmed: number | undefined;
    const rotator = bench.rotator({
      connectDevice: connectPadded,
      hooks: { pause: async (point) => void (point === 'confirmed' && (atConfirmed = heapAfterGc())) },
    });
    try {
      const report = await rotator.rotate();
      expect(report.links.map((l) => [l.link, l.result, l.error?.message])).toEqual(['L1', 'L2', 'L3', 'G1'].map((n) => [n, 'ok', undefined]));
      const after = heapAfterGc();
      expect(atConfirmed).toBeDefined();
      // A reply kept per device would be 7 devices × 2 MiB (14 MiB: what the cycle kept before).
      expect(atConfirmed! - after).toBeLessThan(2 * MiB);
    } finally {
      await rotator.close();
    }
  }, 60_000);
});
