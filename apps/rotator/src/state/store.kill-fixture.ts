// For store.test.ts: adds key_IDs to the state in argv[2] as fast as it can, each with a large
// entry (so a SIGKILL often lands inside an append), and prints `ok <key_ID>` once its update()
// resolved. The test kills it mid-run.
import { createStateStore } from './store.js';

const store = createStateStore(process.argv[2]!);
const pad = 'x'.repeat(64 * 1024);
for (let i = 0; ; i++) {
  const keyId = `k${i}`;
  await store.update((s) => {
    s.keyIds.add(keyId, { link: `L${i}-${pad}`, at: new Date().toISOString() });
    (s.journals ??= {})['c'] = { cycleId: 'c', startedAt: 'x', startsAt: 'y', links: {} };
  });
  process.stdout.write(`ok ${keyId}\n`);
}
