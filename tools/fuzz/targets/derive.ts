// macsec-config's CKN/CAK derivation: deriveCknCak, requiredKeyBits, resolveStrategy and
// prefixUuidStrategy with valid, subtly wrong and plainly odd arguments. Valid arguments must
// derive; anything else must fail with the package's own error. Own errors: MacsecConfigError.
import { CIPHER_SUITES, MacsecConfigError, deriveCknCak, prefixUuidStrategy, requiredKeyBits, resolveStrategy } from '@qkd-macsec/macsec-config';
import type { Rng } from '../rng.js';
import { UUIDS } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';
import { oddValue } from '../values.js';

const PREFIX = 'abcd1234abcd5678abcd1234abcd5678';

interface Input {
  call: 'deriveCknCak' | 'requiredKeyBits' | 'resolveStrategy' | 'prefixUuidStrategy';
  args: unknown[];
  /** The arguments are valid: the call must succeed. */
  valid: boolean;
}

function validDerive(rng: Rng): unknown[] {
  const cipherSuite = rng.pick(CIPHER_SUITES);
  const bytes = cipherSuite.endsWith('256') ? 32 : 16;
  const strategy = rng.pick(['prefix-uuid', 'sha256-keyid'] as const);
  return [{ keyId: rng.pick(UUIDS), bytes: new Uint8Array(bytes).fill(rng.int(256)) }, { cipherSuite, strategy, ...(strategy === 'prefix-uuid' ? { prefix: PREFIX } : {}) }];
}

/** One field of valid arguments replaced by something odd or subtly wrong. */
function spoil(rng: Rng, args: unknown[]): unknown[] {
  const [key, options] = args as [Record<string, unknown>, Record<string, unknown>];
  const subtle = (): unknown =>
    rng.pick([
      'gcm-aes-512', 'GCM-AES-128', 'prefix', 'sha256', PREFIX.slice(1), `${PREFIX}0`, PREFIX.replace('a', 'g'), 'not-a-uuid', UUIDS[0]!.replace('-', ''),
      new Uint8Array(15), new Uint8Array(33), new Uint8Array(0), [1, 2, 3], { ckn: () => 'zz' }, { name: 'x', ckn: () => '0'.repeat(66) },
      { name: 'throws', ckn: () => { throw new MacsecConfigError('strategy refused'); } }, Object.create(null), { ckn: 'not a function' },
    ]);
  const value = rng.chance(0.5) ? subtle() : oddValue(rng);
  switch (rng.int(7)) {
    case 0:
      return [value, options];
    case 1:
      return [key, value];
    case 2:
      return [{ ...key, keyId: value }, options];
    case 3:
      return [{ ...key, bytes: value }, options];
    case 4:
      return [key, { ...options, cipherSuite: value }];
    case 5:
      return [key, { ...options, strategy: value }];
    default:
      return [key, { ...options, prefix: value, allowTruncate: rng.chance(0.5) ? oddValue(rng) : true }];
  }
}

export const deriveTarget: Target = {
  name: 'derive',
  description: 'macsec-config deriveCknCak / requiredKeyBits / resolveStrategy / prefixUuidStrategy',
  weight: 10,
  wire: false,
  async start(): Promise<TargetRun<Input>> {
    return {
      generate(rng) {
        const call = rng.pick(['deriveCknCak', 'deriveCknCak', 'deriveCknCak', 'requiredKeyBits', 'resolveStrategy', 'prefixUuidStrategy'] as const);
        if (call === 'deriveCknCak') {
          const args = validDerive(rng);
          return rng.chance(0.1) ? { call, args, valid: true } : { call, args: spoil(rng, args), valid: false };
        }
        if (call === 'requiredKeyBits') return rng.chance(0.2) ? { call, args: [rng.pick(CIPHER_SUITES)], valid: true } : { call, args: [oddValue(rng)], valid: false };
        if (call === 'prefixUuidStrategy') return rng.chance(0.2) ? { call, args: [PREFIX], valid: true } : { call, args: [rng.chance(0.5) ? oddValue(rng) : PREFIX.slice(rng.int(32))], valid: false };
        return { call, args: [oddValue(rng), rng.chance(0.5) ? PREFIX : oddValue(rng)], valid: false };
      },
      execute({ call, args, valid }): Problem[] {
        const fn = { deriveCknCak, requiredKeyBits, resolveStrategy, prefixUuidStrategy }[call] as (...a: unknown[]) => unknown;
        try {
          fn(...args);
        } catch (err) {
          if (valid) return [{ kind: 'wrong-result', summary: `${call} refused valid arguments`, detail: String((err as Error).message) }];
          throw err;
        }
        return [];
      },
      show: ({ call, args }) => `${call}(${args.map(showValue).join(', ')})`,
      isOwnError: (err) => err instanceof MacsecConfigError,
    };
  },
};

function showValue(v: unknown, depth = 0): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function' || typeof v === 'number' || typeof v === 'boolean' || v == null) return String(v);
  if (v instanceof Uint8Array) return `Uint8Array(${v.length})`;
  if (depth > 3) return '…';
  if (Array.isArray(v)) return `[${v.map((x) => showValue(x, depth + 1)).join(', ')}]`;
  const proto = Object.getPrototypeOf(v) === null ? 'Object.create(null) ' : '';
  return `${proto}{${Object.entries(v as object).map(([k, x]) => `${k}: ${showValue(x, depth + 1)}`).join(', ')}}`;
}
