// Writes a key_ID history into a state directory through the rotator's own store, as a daemon that
// has run for a while leaves it: the sorted archive and a tail of recent key_IDs in the log.
// fleet.bench.ts runs it in a process of its own (FLEET_HISTORY), so its garbage is not in the
// measured rotator's RSS.
//   tsx bench/seed-history.ts STATE_DIR KEY_IDS LINKS
import { randomUUID } from 'node:crypto';
import { createStateStore } from '../../apps/rotator/src/state/store.js';

const [stateDir, total, links] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
if (!stateDir || !Number.isInteger(total) || total < 0 || !Number.isInteger(links) || links < 1) {
  console.error('usage: seed-history.ts STATE_DIR KEY_IDS LINKS');
  process.exit(2);
}
const store = createStateStore(stateDir);
// A cycle's worth (two key_IDs a link: a primary key and, now and then, a fallback key) per write.
for (let n = 0; n < total; n += 2 * links) {
  const at = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
  await store.update((s) => {
    for (let i = n; i < Math.min(total, n + 2 * links); i++) s.keyIds.add(randomUUID(), { link: `L${(i % links) + 1}`, at });
  });
}
