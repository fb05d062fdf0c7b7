// Structural mutations of JSON values: retype a node, drop or add a field, duplicate array items,
// nest deeply, add "__proto__"/"constructor" keys (JSON.parse makes them own properties).
import { UUIDS } from './samples.js';
import type { Rng } from './rng.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ODD_STRINGS = ['', ' ', 'a', '0', '\u0000', '\ud800', '😀', 'AAAA', 'AAA=', 'AA==', '====', 'A', '%00', '../', UUIDS[0]!, UUIDS[0]!.toUpperCase(), `${UUIDS[0]}x`, '00000000-0000-0000-0000-000000000000'];
const KEYS = ['keys', 'key_ID', 'key', 'key_IDs', 'number', 'size', 'message', 'details', 'additional_slave_SAE_IDs', 'extension_mandatory', 'extension_optional', 'key_ID_extension', 'key_extension', 'key_container_extension', 'key_IDs_extension', 'status_extension', 'source_KME_ID', 'key_size', 'max_key_count', '__proto__', 'constructor', 'toString', ''];

function oddJson(rng: Rng, depth = 0): Json {
  switch (rng.int(depth > 3 ? 5 : 8)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 7, 8, 128, 255, 256, 257, 1024, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e308, -0, 0.5, 1e-7]);
    case 3:
      return rng.pick(ODD_STRINGS);
    case 4:
      return 'x'.repeat(rng.size(rng.chance(0.05) ? 200_000 : 300));
    case 5:
      return Array.from({ length: rng.size(6) }, () => oddJson(rng, depth + 1));
    default: {
      const o: { [k: string]: Json } = {};
      for (let i = rng.size(5); i > 0; i--) o[rng.pick(KEYS)] = oddJson(rng, depth + 1);
      return o;
    }
  }
}

function clone(v: Json): Json {
  return v === null || typeof v !== 'object' ? v : (JSON.parse(JSON.stringify(v)) as Json);
}

/** Every container node with a way to replace one of its children. */
function slots(v: Json, out: Array<{ get(): Json; set(x: Json): void; parent: Json[] | { [k: string]: Json }; key: string | number }> = [], depth = 0): typeof out {
  if (v === null || typeof v !== 'object' || depth > 50) return out;
  if (Array.isArray(v)) v.forEach((_, i) => (out.push({ get: () => v[i]!, set: (x) => (v[i] = x), parent: v, key: i }), slots(v[i]!, out, depth + 1)));
  else for (const k of Object.keys(v)) out.push({ get: () => v[k]!, set: (x) => (v[k] = x), parent: v, key: k }), slots(v[k]!, out, depth + 1);
  return out;
}

/** Largest value built, as JSON text: keeps repeated duplication from growing without bound. */
const MAX_JSON_CHARS = 4 << 20;

export function mutateJson(rng: Rng, sample: Json): Json {
  let root = clone(sample);
  for (let edits = 1 + rng.size(4); edits > 0; edits--) {
    if (JSON.stringify(root).length > MAX_JSON_CHARS / 4) break;
    const all = slots(root);
    if (all.length === 0 || rng.chance(0.05)) {
      root = rng.chance(0.5) ? oddJson(rng) : [root];
      continue;
    }
    const s = rng.pick(all);
    switch (rng.int(6)) {
      case 0:
        s.set(oddJson(rng));
        break;
      case 1:
        if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
        else delete s.parent[s.key as string];
        break;
      case 2:
        if (Array.isArray(s.parent)) {
          // Many copies of one item: the shape behind slow validation and huge error messages.
          const itemChars = JSON.stringify(s.get())?.length ?? 4;
          const n = Math.min(rng.chance(0.02) ? rng.range(1000, 50_000) : rng.size(20), Math.floor(MAX_JSON_CHARS / (itemChars + 1)));
          for (let i = 0; i < n; i++) s.parent.push(clone(s.get()));
        } else s.parent[rng.pick(KEYS)] = oddJson(rng);
        break;
      case 3: {
        let deep: Json = s.get();
        for (let d = rng.chance(0.5) ? rng.range(50, 5000) : rng.size(20); d > 0; d--) deep = rng.chance(0.5) ? [deep] : { x: deep };
        s.set(deep);
        break;
      }
      case 4: {
        const v = s.get();
        if (typeof v === 'string') s.set(rng.chance(0.5) ? v.slice(0, rng.int(v.length + 1)) : v + rng.pick(ODD_STRINGS));
        else if (typeof v === 'number') s.set(rng.pick([v + 1, v - 1, -v, v * 8, v / 8, String(v)]) as Json);
        else s.set(oddJson(rng));
        break;
      }
      default:
        s.set(rng.pick(['__proto__', 'constructor']) === '__proto__' ? (JSON.parse(`{"__proto__": ${JSON.stringify(s.get())}}`) as Json) : { constructor: s.get() });
    }
  }
  return root;
}

export type { Json };
