// Odd JavaScript values for API-level fuzzing: what a caller passing untyped data (parsed JSON,
// a config file, a plugin) might hand a library. Includes objects without a prototype, which
// break `String(x)` and template literals.
import type { Rng } from './rng.js';

const STRINGS = ['', ' ', 'a', '0', '-1', 'NaN', 'null', 'undefined', '__proto__', 'constructor', 'toString', '\u0000', '\ud800', 'x'.repeat(70), '😀'];

export function oddValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 8 : 11)) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return rng.pick([0, -0, 1, -1, 0.5, 128, 256, 2 ** 53, NaN, Infinity, -Infinity]);
    case 3:
      return rng.pick(STRINGS);
    case 4:
      return rng.chance(0.5);
    case 5:
      return rng.chance(0.5) ? 10n : Symbol('s');
    case 6:
      return new Uint8Array(rng.size(64));
    case 7:
      return () => 'fn';
    case 8:
      return Object.create(null);
    case 9:
      return Array.from({ length: rng.size(4) }, () => oddValue(rng, depth + 1));
    default: {
      const o: Record<string, unknown> = rng.chance(0.3) ? Object.create(null) : {};
      for (let i = rng.size(4); i > 0; i--) o[rng.pick(['keyId', 'bytes', 'name', 'ckn', 'cipherSuite', 'strategy', 'prefix', 'x'])] = oddValue(rng, depth + 1);
      return o;
    }
  }
}
