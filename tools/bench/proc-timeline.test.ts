import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuBins, startProcSampler, type ProcSample } from './proc-timeline.js';

describe('cpuBins', () => {
  it("gives each process's share of a core per bin, from the samples that start in it", () => {
    const s = (at: number, ...cpuMs: number[]): ProcSample => ({ at, cpuMs });
    // p0 busy the first 100 ms, p1 at half a core throughout; the last bin has no samples.
    const samples = [s(1000, 0, 0), s(1050, 50, 25), s(1100, 100, 50), s(1150, 100, 75), s(1200, 100, 100)];
    const bins = cpuBins(samples, 1000, 1300, 100);
    expect(bins.map((b) => b.at)).toEqual([0, 100, 200]);
    expect(bins[0]!.share).toEqual([1, 0.5]);
    expect(bins[1]!.share).toEqual([0, 0.5]);
    expect(bins[2]!.share).toEqual([0, 0]);
  });
});

describe.runIf(process.platform === 'linux')('startProcSampler', () => {
  it('sees a spinning process busy and a sleeping one idle', async () => {
    const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 1500; while (Date.now() < end);']);
    const idle = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)']);
    try {
      await new Promise((r) => setTimeout(r, 200)); // both started
      const sampler = startProcSampler([busy.pid!, idle.pid!]);
      const from = Date.now();
      await new Promise((r) => setTimeout(r, 800));
      const samples = await sampler.stop();
      expect(samples.length).toBeGreaterThan(10);
      const [bin] = cpuBins(samples, from, from + 600, 600);
      // On a loaded machine (CI runs suites side by side) the spinner may not have a core to itself.
      expect(bin!.share[0]).toBeGreaterThan(0.3);
      expect(bin!.share[1]).toBeLessThan(0.1);
    } finally {
      busy.kill();
      idle.kill();
    }
  });
});
