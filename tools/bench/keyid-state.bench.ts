// What the state's key_ID history costs as it grows. The store keeps every key_ID ever staged: in
// the append-only log on disk, and for the check that no key_ID is installed twice, the recent
// ones in memory and the rest in a sorted archive on disk (apps/rotator/src/state/keyid-archive.ts),
// merged between cycles. This writes KEYIDS_CYCLES cycles of KEYIDS_LINKS new key_IDs each through
// the rotator's own state store (one update per cycle, as a cycle's first journal write does, and
// no journal left, as between cycles), then loads the directory afresh, as a restarted daemon
// does, and prints: memory after a full GC (heap and ArrayBuffers), log and archive bytes per
// key_ID, the load's time, the updates' time (the merges among them), and what the files grow by
// a day at the config file's default interval. Memory has to stay flat as the cycles grow.
//   npm run bench:keyids -w tools        (KEYIDS_CYCLES=200 KEYIDS_LINKS=2000 by default)
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStateStore, KEY_ID_ARCHIVE_FILE, KEY_IDS_FILE } from '../../apps/rotator/src/state/store.js';
import { memoryAfterGcMiB } from './gc.js';


const CYCLES = Number(process.env.KEYIDS_CYCLES ?? 200);
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
  const recent = (await store.load()).keyIds.recentSize;
  const logBytes = statSync(join(dir, KEY_IDS_FILE)).size;
  const archiveBytes = statSync(join(dir, KEY_ID_ARCHIVE_FILE), { throwIfNoEntry: false })?.size ?? 0;

  // A restarted daemon: a fresh store over the same directory.
  const beforeLoad = memoryAfterGcMiB();
  const t = performance.now();
  const fresh = createStateStore(dir);
  const loaded = await fresh.load();
  const loadMs = performance.now() - t;
  const loadedHeap = memoryAfterGcMiB() - beforeLoad;
  if (loaded.keyIds.size !== n) throw new Error(`the fresh load found ${loaded.keyIds.size} key_IDs, not ${n}`);

  // The duplicate check a cycle makes for every key it fetches: a new key_ID is looked up in
  // memory and then in the archive on disk.
  const probes = Array.from({ length: 20_000 }, () => randomUUID());
  const tl = performance.now();
  const found = probes.filter((k) => loaded.keyIds.has(k)).length;
  const lookupUs = ((performance.now() - tl) * 1000) / probes.length;
  if (found !== 0) throw new Error(`${found} fresh key_IDs were found in the history`);

  const perDay = LINKS * (86_400 / INTERVAL_S);
  const sorted = [...updateMs].sort((x, y) => x - y);
  console.log(`key_ID history through the rotator's state store: ${CYCLES} cycles × ${LINKS} links = ${n.toLocaleString('en')} key_IDs`);
  console.log(`memory kept by the writing store    ${kept.toFixed(1)} MiB (${recent.toLocaleString('en')} recent key_IDs in memory, the rest in the archive)`);
  console.log(`memory of a fresh load (a restart)  ${loadedHeap.toFixed(1)} MiB, loaded in ${loadMs.toFixed(0)} ms`);
  console.log(`key_ID log on disk                  ${(logBytes / n).toFixed(0)} B per key_ID (${(logBytes / 2 ** 20).toFixed(1)} MiB)`);
  console.log(`key_ID archive on disk              ${(archiveBytes / n).toFixed(1)} B per key_ID (${(archiveBytes / 2 ** 20).toFixed(1)} MiB)`);
  console.log(`duplicate check of a new key_ID      ${lookupUs.toFixed(1)} µs (memory, then one 4 KiB read of the archive)`);
  console.log(`update: median / slowest            ${sorted[sorted.length >> 1]!.toFixed(1)} / ${sorted.at(-1)!.toFixed(1)} ms (the slowest merged the recent key_IDs into the archive)`);
  console.log(
    `at ${LINKS} links on the default interval (${INTERVAL_S} s): ${perDay.toLocaleString('en')} key_IDs a day, ~${((perDay * logBytes) / n / 2 ** 20).toFixed(1)} MiB of log and ~${((perDay * 16) / 2 ** 20).toFixed(1)} MiB of archive a day; memory stays as above`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
