import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from './heap.js';

describe('limitHeapGrowth', () => {
  it("leaves the operator's own --heap-growing-percent alone", () => {
    expect(limitHeapGrowth(['--heap-growing-percent=80'])).toBeUndefined();
    expect(limitHeapGrowth(['--heap_growing_percent', '80'])).toBeUndefined();
  });

  it('keeps a growing heap within 1.5× of what survives, where V8 alone lets it reach several times that', () => {
    // A child keeps ~150 MiB live and allocates garbage beside it; the peak heap is measured with
    // and without the flag. Only the ratio matters, so the figures hold on any machine.
    const heapTs = fileURLToPath(new URL('./heap.ts', import.meta.url));
    const script = `
      const { limitHeapGrowth } = await import(${JSON.stringify(heapTs)});
      if (process.argv[1] === 'limit') limitHeapGrowth([]);
      const live = Array.from({ length: 300 }, () => new Array(12_500).fill(0).map((_, i) => ({ i })));
      let peak = 0;
      for (let round = 0; round < 20; round++) {
        let junk = Array.from({ length: 100 }, () => new Array(12_500).fill(0).map((_, i) => ({ i })));
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        junk = null;
      }
      console.log(JSON.stringify({ peak, live: live.length }));`;
    const run = (mode: string) =>
      JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, mode], { encoding: 'utf8' })) as { peak: number };
    const limited = run('limit').peak;
    const unlimited = run('none').peak;
    expect(HEAP_GROWING_PERCENT).toBe(50);
    expect(limited).toBeLessThan(unlimited * 0.7); // seen: ~300 MiB against ~700 MiB
  }, 60_000);
});
