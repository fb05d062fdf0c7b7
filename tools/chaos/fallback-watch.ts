// Samples sim-junos's link record every second for cables whose two ends do not carry the same
// fallback key. During a fallback-key transaction that is brief (one end committed before the
// other); left standing, it takes away the safety net: the next primary-key mismatch on that
// cable is down time instead of time on fallback. The report shows the longest such stretch.
import type { AdminClient } from './admin.js';
import { readLinkRecord } from './link-record.js';

export interface FallbackWatch {
  /** Per cable, the longest stretch (ms) its ends' fallback keys differed. */
  longest(): Record<string, number>;
  stop(): Promise<void>;
}

export function watchFallbackKeys(admin: AdminClient, everyMs = 1000): FallbackWatch {
  const since = new Map<string, number>();
  const longest: Record<string, number> = {};
  let stopped = false;
  const sample = async () => {
    const now = Date.now();
    for (const c of (await readLinkRecord(admin)).values()) {
      if (c.fallbackAgrees) {
        since.delete(c.id);
        continue;
      }
      const from = since.get(c.id) ?? now;
      since.set(c.id, from);
      longest[c.id] = Math.max(longest[c.id] ?? 0, now - from);
    }
  };
  const loop = (async () => {
    while (!stopped) {
      await sample().catch(() => undefined); // a missed sample is a gap, not a failure
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    longest: () => ({ ...longest }),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
