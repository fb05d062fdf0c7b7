// What the state's key_ID history costs as it grows. The store keeps every key_ID ever staged — on
// disk in the append-only log, and in memory for the check that no key_ID is installed twice —
// so a daemon's memory and its start grow with its history (docs/operations.md). This writes
// KEYIDS_CYCLES cycles of KEYIDS_LINKS new key_IDs each through the rotator's own state store
// (apps/rotator/src/state/store.ts, one update per cycle as a cycle's first journal write does),
// then loads the directory afresh, as a restarted daemon does, and prints per key_ID: memory after
// a full GC (heap and ArrayBuffers: the IDs are kept in typed arrays), log bytes, and the load's time; and what that comes to a day at the config file's
// default interval. A change that bounds the history has to move these figures.
//   npm run bench:keyids -w tools        (KEYIDS_CYCLES=50 KEYIDS_LINKS=2000 by default)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStateStore, KEY_IDS_FILE } from '../../apps/rotator/src/state/store.js';
import { memoryAfterGcMiB } from './gc.js';


const CYCLES = Number(process.env.KEYIDS_CYCLES ?? 50);
const LINKS = Number(process.env.KEYIDS_LINKS ?? 2000);
const INTERVAL_S = 3600; // rotation.intervalSeconds' default (apps/rotator/src/config/file-schema.ts)
if (!(Number.isInteger(CYCLES) && CYCLES > 0 && Number.isInteger(LINKS) && LINKS > 0)) {
  console.error(`KEYIDS_CYCLES and KEYIDS_LINKS must be positive integers; got ${process.env.KEYIDS_CYCLES} and ${process.env.KEYIDS_LINKS}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'qkd-keyid-bench-'));
try {
  const store = createStateStore(dir);
  await store.load();
  const before = memoryAfterGcMiB();
  const updateMs: number[] = [];
  const start = Date.parse('2026-01-01T00:00:00Z');
  const names = Array.from({ length: LINKS }, (_, l) => `link-${l}`); // a cycle's entries name its links, as the config does
  for (let c = 0; c < CYCLES; c++) {
    const at = new Date(start + c * INTERVAL_S * 1000).toISOString();
    const t = performance.now();
    await store.update((s) => {
      for (const link of names) s.keyIds.add(randomUUID(), { link, at });
    });
    updateMs.push(performance.now() - t);
  }
  const n = CYCLES * LINKS;
  const kept = memoryAfterGcMiB() - before;
  const logBytes = statSync(join(dir, KEY_IDS_FILE)).size;

  // A restarted daemon: a fresh store over the same directory.
  const beforeLoad = memoryAfterGcMiB();
  const t = performance.now();
  const fresh = createStateStore(dir);
  const loaded = await fresh.load();
  const loadMs = performance.now() - t;
  const loadedHeap = memoryAfterGcMiB() - beforeLoad;
  if (loaded.keyIds.size !== n) throw new Error(`the fresh load found ${loaded.keyIds.size} key_IDs, not ${n}`);

  const perDay = LINKS * (86_400 / INTERVAL_S);
  const b = (mib: number) => (mib * 2 ** 20) / n;
  console.log(`key_ID history through the rotator's state store: ${CYCLES} cycles × ${LINKS} links = ${n.toLocaleString('en')} key_IDs`);
  console.log(`memory kept by the writing store    ${b(kept).toFixed(0)} B per key_ID (${kept.toFixed(1)} MiB)`);
  console.log(`memory of a fresh load (a restart)  ${b(loadedHeap).toFixed(0)} B per key_ID (${loadedHeap.toFixed(1)} MiB)`);
  console.log(`key_ID log on disk                  ${(logBytes / n).toFixed(0)} B per key_ID (${(logBytes / 2 ** 20).toFixed(1)} MiB)`);
  console.log(`fresh load time                     ${loadMs.toFixed(0)} ms (${((loadMs * 1000) / n).toFixed(2)} µs per key_ID)`);
  console.log(`update, first / last cycle          ${updateMs[0]!.toFixed(1)} / ${updateMs.at(-1)!.toFixed(1)} ms (a write appends only the new key_IDs)`);
  const heapPerDay = (perDay * Math.max(b(kept), b(loadedHeap))) / 2 ** 20;
  console.log(
    `at ${LINKS} links on the default interval (${INTERVAL_S} s): ${perDay.toLocaleString('en')} key_IDs a day, ~${heapPerDay.toFixed(1)} MiB of memory and ~${((perDay * logBytes) / n / 2 ** 20).toFixed(1)} MiB of log a day; 100 MiB of memory after ~${(100 / heapPerDay).toFixed(0)} days`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
