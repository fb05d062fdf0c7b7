import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, SEMI_SPACE_GROWTH_FACTOR, applyV8Settings } from './heap.js';

const heapTs = fileURLToPath(new URL('./heap.ts', import.meta.url));
const cliTs = fileURLToPath(new URL('../cli.ts', import.meta.url));
/** Runs `body` in a child node (tsx), after applyV8Settings([]) when mode is 'limit'; returns what it prints. */
const runChild = <T>(mode: 'limit' | 'none', body: string): T => {
  const script = `
    const { applyV8Settings } = await import(${JSON.stringify(heapTs)});
    const v8 = await import('node:v8');
    if (process.argv[1] === 'limit') applyV8Settings([]);
    ${body}`;
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, mode], { encoding: 'utf8' })) as T;
};

describe('applyV8Settings', () => {
  it("leaves the operator's own flags alone, each on its own (command line or NODE_OPTIONS)", () => {
    expect(applyV8Settings(['--heap-growing-percent=80', '--semi-space-growth-factor=2', '--flush-bytecode', '--minor-gc-task'])).toEqual({ heapGrowingPercent: undefined, semiSpaceGrowthFactor: undefined, flushBytecode: undefined, minorGcTask: undefined });
    expect(applyV8Settings(['--heap_growing_percent', '80'])).toEqual({ heapGrowingPercent: undefined, semiSpaceGrowthFactor: SEMI_SPACE_GROWTH_FACTOR, flushBytecode: false, minorGcTask: false });
    // The units' --max-semi-space-size sets the maximum; the factor still holds it there.
    expect(applyV8Settings(['--max-semi-space-size=16', '--no-flush-bytecode', '--no_minor_gc_task'])).toEqual({ heapGrowingPercent: HEAP_GROWING_PERCENT, semiSpaceGrowthFactor: SEMI_SPACE_GROWTH_FACTOR, flushBytecode: undefined, minorGcTask: undefined });
  });

  it('keeps a growing heap within 1.3× of what survives, where V8 alone lets it reach several times that', () => {
    // A child keeps ~150 MiB live and allocates garbage beside it; the peak heap is measured with
    // and without the settings. Only the ratio matters, so the figures hold on any machine.
    const body = `
      const live = Array.from({ length: 300 }, () => new Array(12_500).fill(0).map((_, i) => ({ i })));
      let peak = 0;
      for (let round = 0; round < 20; round++) {
        let junk = Array.from({ length: 100 }, () => new Array(12_500).fill(0).map((_, i) => ({ i })));
        peak = Math.max(peak, process.memoryUsage().heapUsed);
        junk = null;
      }
      console.log(JSON.stringify({ peak, live: live.length }));`;
    const limited = runChild<{ peak: number }>('limit', body).peak;
    const unlimited = runChild<{ peak: number }>('none', body).peak;
    expect(HEAP_GROWING_PERCENT).toBe(30);
    expect(limited).toBeLessThan(unlimited * 0.7); // seen: ~300 MiB against ~700 MiB
  }, 60_000);

  it('once set, V8 no longer grows the young generation: it stays at the size it had', () => {
    // Objects that outlive a scavenge or two (every 50th kept) make V8 grow its young generation.
    const body = `
      const keep = [];
      for (let i = 0; i < 3e6; i++) { const o = { a: i, b: [i] }; if (i % 50 === 0) keep.push(o); }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      console.log(JSON.stringify({ young: young.space_size, kept: keep.length }));`;
    const held = runChild<{ young: number }>('limit', body).young;
    const grown = runChild<{ young: number }>('none', body).young;
    expect(held).toBeLessThanOrEqual(4 * 2 ** 20); // seen: 2 MiB (set before any growth: the initial two 1 MiB semi-spaces), Node 20 and 24
    expect(grown).toBeGreaterThanOrEqual(4 * held); // seen: 16 MiB
  }, 60_000);

  it("the systemd unit's NODE_OPTIONS hold the binary's young generation at 16 MiB semi-spaces on every Node; loading its modules alone grows it to V8's maximum", () => {
    // The binary itself (src/cli.ts) runs `--version`; at exit a preloaded probe prints the new
    // space's size. Node sizes the young generation at start only: a setting the binary made after
    // its imports (as one version did) comes too late, so the unit passes it to node.
    const unit = readFileSync(fileURLToPath(new URL('../../systemd/qkd-macsec.service', import.meta.url)), 'utf8');
    const nodeOptions = /^Environment=NODE_OPTIONS=(.*)$/m.exec(unit)?.[1];
    expect(nodeOptions).toBe('--max-semi-space-size=16');
    const probe = `data:text/javascript,${encodeURIComponent("import v8 from 'node:v8'; process.on('exit', () => process.stderr.write('NEW_SPACE ' + v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size + '\\n'));")}`;
    const newSpace = (env: NodeJS.ProcessEnv): number => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', probe, cliTs, '--version'], { env, encoding: 'utf8' });
      const size = /NEW_SPACE (\d+)/.exec(r.stderr)?.[1];
      if (r.status !== 0 || size === undefined) throw new Error(`qkd-macsec --version failed (exit ${String(r.status)}): ${r.stderr}`);
      return Number(size);
    };
    const { NODE_OPTIONS: _, ...env } = process.env;
    const withUnit = newSpace({ ...env, NODE_OPTIONS: nodeOptions });
    const alone = newSpace(env);
    // The modules' loading grows it to the maximum: two 16 MiB semi-spaces, on Node 20 and 24 alike
    // (tools/bench starts the measured process with them from the start, as it imports less).
    expect(withUnit).toBe(32 * 2 ** 20);
    expect(alone).toBeGreaterThanOrEqual(withUnit); // seen: 32 MiB (Node 20), 64 MiB (Node 24)
  }, 60_000);

  it('collects the young generation when it is full, not from a task at 80 %', () => {
    // Garbage allocated a little at a time across event-loop turns (as a cycle's replies come in):
    // V8's minor GC task runs between them. --trace-gc names each scavenge's reason; the child
    // without the settings is run with the same flag.
    const body = `
      let sink;
      for (let turn = 0; turn < 400; turn++) {
        for (let i = 0; i < 2000; i++) sink = { turn, i, a: [i, i] };
        await new Promise((r) => setImmediate(r));
      }
      console.log(JSON.stringify(sink.turn));`;
    const scavenges = (mode: 'limit' | 'none') => {
      // Counted from the mark on: loading tsx and the module collects too, before any setting.
      const script = `const { applyV8Settings } = await import(${JSON.stringify(heapTs)}); if (process.argv[1] === 'limit') applyV8Settings([]); console.log('MARK'); ${body}`;
      const out = execFileSync(process.execPath, ['--trace-gc', '--import', 'tsx', '--input-type=module', '-e', script, mode], { encoding: 'utf8' });
      const lines = out.slice(out.indexOf('MARK')).split('\n').filter((l) => l.includes('Scavenge'));
      return { all: lines.length, byTask: lines.filter((l) => /\btask\b/.test(l)).length };
    };
    const limited = scavenges('limit');
    const unlimited = scavenges('none');
    expect(unlimited.byTask).toBeGreaterThan(0); // V8's default: scavenges scheduled as tasks
    expect(limited.all).toBeGreaterThan(0);
    expect(limited.byTask).toBe(0);
  }, 60_000);

  it('keeps the bytecode of code that has not run through the full collections between two cycles', () => {
    // 300 functions run once (what only a cycle runs), then old-space garbage until V8 has made a
    // dozen full collections of its own (a forced gc() ages no bytecode): without the setting V8
    // drops their bytecode (it would compile them again at the next cycle).
    const body = `
      const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const file = join(mkdtempSync(join(tmpdir(), 'qkd-bytecode-')), 'functions.mjs');
      writeFileSync(file, Array.from({ length: 300 }, (_, k) => 'export function f' + k + '(x) {' + Array.from({ length: 60 }, (_, i) => 'x = (x * 31 + ' + (i + k) + ') | 0;').join('') + ' return x; }').join('\\n'));
      const fns = await import(file);
      rmSync(join(file, '..'), { recursive: true, force: true });
      for (const f of Object.values(fns)) f(1);
      const before = v8.getHeapCodeStatistics().bytecode_and_metadata_size;
      let keep = [];
      for (let round = 0; round < 200; round++) {
        for (let i = 0; i < 200; i++) keep.push(new Array(10_000).fill(round));
        if (keep.length > 2000) keep = [];
        await new Promise((r) => setImmediate(r));
      }
      console.log(JSON.stringify({ dropped: before - v8.getHeapCodeStatistics().bytecode_and_metadata_size }));`;
    const kept = runChild<{ dropped: number }>('limit', body).dropped;
    const flushed = runChild<{ dropped: number }>('none', body).dropped;
    expect(flushed).toBeGreaterThan(400_000); // seen: ~550 KB (Node 20), ~880 KB (Node 24): the 300 functions
    expect(kept).toBeLessThan(flushed / 4); // seen: ~60 KB and ~4 KB, whatever else a collection frees
  }, 90_000);
});
