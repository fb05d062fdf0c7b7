// Batched KME requests for links whose SAEs the coordinator reaches directly. ETSI 014 lets one
// enc_keys carry `number` keys and one dec_keys name several key_IDs; etsi-qkd-client checks that
// an answer holds exactly the keys asked for (count, distinct IDs, size; for dec_keys the very
// IDs named). Per-request cost (mTLS round trip, HTTP and JSON layers) was the largest part of the
// rotator's CPU after XML and SSH at 200 links, so links of the same SAEs that wait for a request
// slot at the same time share one: a 2,000-link cycle sends ~32 KME requests instead of 4,000.
//
// Nothing waits to fill a batch: a request takes whatever queued while the slots were busy (at
// cycle start, every link at once), up to the KME's max_key_per_request (its Status, asked once
// per SAE pair and kept for STATUS_TTL_MS) and MAX_BATCH. A dec_keys batch that fails is retried
// key by key, so one key_ID a slave KME does not know fails its own link only, as before.
import type { QkdClient, QkdKey } from '@qkd-macsec/etsi-qkd-client';
import type { Limiter } from './limit.js';

/**
 * Most keys one request carries (and the KME's max_key_per_request bounds it). Not for the
 * per-request saving, which is < 3 % beyond 32 keys, but for the rounds: with kmeConcurrency (16)
 * requests in flight, 2,000 links took 4 rounds of enc_keys and 4 of dec_keys at 32 — one each at
 * 128, the ETSI example's and sim-kme's max_key_per_request.
 */
export const MAX_BATCH = 128;
/** A KME's Status (max_key_per_request) is asked again after this long. */
const STATUS_TTL_MS = 10 * 60_000;
/** After a failed Status request, single requests for this long (a KME that is down is not asked twice per link). */
const STATUS_RETRY_MS = 60_000;

export interface DirectKmes {
  /** enc_keys as `master` for `slaves` (the first is the path, the others additional): one key. */
  enc(master: string, slaves: readonly string[], bits: number): Promise<QkdKey>;
  /** dec_keys of `keyId` as `sae` (a slave of `master`): its copy. */
  dec(sae: string, master: string, keyId: string): Promise<QkdKey>;
}

interface Pending<I> {
  item: I;
  resolve(key: QkdKey): void;
  reject(error: unknown): void;
}

/**
 * A queue per kind of request: `run` sends one request for up to `max` queued items and settles
 * each. Every request goes through `limit` (the KME requests in flight at once).
 */
function batchQueue<I>(limit: Limiter, maxOf: () => Promise<number>, run: (items: Pending<I>[]) => Promise<void>): (item: I) => Promise<QkdKey> {
  const queue: Pending<I>[] = [];
  // Requests scheduled (waiting for a slot) that have not taken their items yet, and how many
  // items the last one could take: enough are scheduled for everything queued.
  let scheduled = 0;
  let lastMax = MAX_BATCH;
  const schedule = () => {
    while (queue.length > scheduled * lastMax) {
      scheduled++;
      void limit(drain).catch(() => undefined); // drain settles its items itself
    }
  };
  async function drain(): Promise<void> {
    // One turn later: every link that asked in the same synchronous run is queued by then.
    await Promise.resolve();
    // With one waiting there is nothing to batch: no Status request needed.
    const batching = queue.length > 1;
    const max = batching ? await maxOf().catch(() => 1) : 1;
    scheduled--;
    if (batching) lastMax = max;
    const items = queue.splice(0, max);
    schedule(); // the KME takes fewer than assumed: more requests for the rest
    if (items.length === 0) return;
    try {
      await run(items);
    } catch (e) {
      for (const p of items) p.reject(e);
    }
  }
  return (item) =>
    new Promise<QkdKey>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}

/** Settles every item from one answer: the key with its ID, or an error naming it missing. */
function settleByKeyId<I>(items: Pending<I>[], keys: readonly QkdKey[], idOf: (item: I, i: number) => string | undefined): void {
  const byId = new Map(keys.map((k) => [k.keyId.toLowerCase(), k]));
  items.forEach((p, i) => {
    const id = idOf(p.item, i);
    const k = id === undefined ? keys[i] : byId.get(id.toLowerCase());
    if (k) p.resolve(k);
    else p.reject(new Error(`the KME's answer lacks key ${id ?? `#${i + 1}`}`));
  });
}

export function createDirectKmes(client: (sae: string) => QkdClient, limit: Limiter): DirectKmes {
  // max_key_per_request per master/slave pair, from the master KME's Status.
  const limits = new Map<string, { max: Promise<number>; until: number }>();
  const maxFor = (master: string, slave: string): Promise<number> => {
    const key = `${master}\0${slave}`;
    const now = Date.now();
    const known = limits.get(key);
    if (known && known.until > now) return known.max;
    const entry = { until: now + STATUS_TTL_MS, max: Promise.resolve(1) };
    entry.max = Promise.resolve()
      .then(() => client(master).getStatus(slave))
      .then(
        (s) => Math.max(1, Math.min(MAX_BATCH, s.max_key_per_request)),
        () => {
          entry.until = Date.now() + STATUS_RETRY_MS;
          return 1;
        },
      );
    limits.set(key, entry);
    return entry.max;
  };

  const encQueues = new Map<string, (item: undefined) => Promise<QkdKey>>();
  const decQueues = new Map<string, (keyId: string) => Promise<QkdKey>>();

  return {
    enc(master, slaves, bits) {
      const group = `${master}\0${slaves.join('\0')}\0${bits}`;
      let q = encQueues.get(group);
      if (!q) {
        const [path, ...additional] = slaves;
        q = batchQueue<undefined>(
          limit,
          () => maxFor(master, path!),
          async (items) => {
            const r = await client(master).getKey(path!, { number: items.length, size: bits, ...(additional.length ? { additionalSlaveSaeIds: [...additional] } : {}) });
            settleByKeyId(items, r.keys, () => undefined);
          },
        );
        encQueues.set(group, q);
      }
      return q(undefined);
    },
    dec(sae, master, keyId) {
      const group = `${sae}\0${master}`;
      let q = decQueues.get(group);
      if (!q) {
        const one = async (p: Pending<string>) => {
          try {
            settleByKeyId([p], (await client(sae).getKeyWithIds(master, [p.item])).keys, (id) => id);
          } catch (e) {
            p.reject(e);
          }
        };
        q = batchQueue<string>(
          limit,
          () => maxFor(master, sae),
          async (items) => {
            if (items.length === 1) return one(items[0]!);
            let keys: QkdKey[];
            try {
              keys = (await client(sae).getKeyWithIds(master, items.map((p) => p.item))).keys;
            } catch {
              // One unknown key_ID fails the whole request: ask key by key (in this request slot), so
              // it fails its own link only.
              for (const p of items) await one(p);
              return;
            }
            settleByKeyId(items, keys, (id) => id);
          },
        );
        decQueues.set(group, q);
      }
      return q(keyId);
    },
  };
}
