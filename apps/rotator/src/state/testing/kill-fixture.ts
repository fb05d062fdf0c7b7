// For store.test.ts: adds key_IDs to the state in argv[2] as fast as it can and prints
// `ok <key_ID>` once its update() resolved; the test kills it mid-run. Default: one key_ID an
// update with a large entry (so a SIGKILL often lands inside an append) and a journal. With
// argv[3] = 'compact': 20 UUIDs an update, no journal, and the archive merged every few updates
// (so a SIGKILL lands inside a merge too).
import { randomUUID } from 'node:crypto';
import { createStateStore } from '../store.js';

const compacting = process.argv[3] === 'compact';
const store = createStateStore(process.argv[2]!, compacting ? { compactAt: 50 } : {});
const pad = 'x'.repeat(64 * 1024);
for (let i = 0; ; i++) {
  const keyIds = compacting ? Array.from({ length: 20 }, () => randomUUID()) : [`k${i}`];
  await store.update((s) => {
    for (const keyId of keyIds) s.keyIds.add(keyId, { link: compacting ? `L${i}` : `L${i}-${pad}`, at: new Date().toISOString() });
    if (!compacting) (s.journals ??= {})['c'] = { cycleId: 'c', startedAt: 'x', startsAt: 'y', links: {} };
  });
  process.stdout.write(keyIds.map((k) => `ok ${k}\n`).join(''));
}
