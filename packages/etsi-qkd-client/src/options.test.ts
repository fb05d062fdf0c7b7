// createQkdClient refuses unusable options at creation, naming the option; nothing is sent.
import { describe, expect, it } from 'vitest';
import { createQkdClient, type QkdClientOptions } from './client.js';
import { QkdConfigError } from './errors.js';

const base = { baseUrl: 'https://kme.example:8443', logger: { warn: () => {} } };
const create = (options: Partial<QkdClientOptions>) => () => createQkdClient({ ...base, ...options } as QkdClientOptions);

describe('createQkdClient options', () => {
  it('refuses a missing options object', () => {
    expect(() => createQkdClient(undefined as never)).toThrow(QkdConfigError);
  });

  it('refuses a timeoutMs that is not a positive number of milliseconds', () => {
    for (const timeoutMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      expect(create({ timeoutMs }), String(timeoutMs)).toThrow(/timeoutMs must be a positive number of milliseconds/);
    }
  });

  it('refuses a retry policy with a negative, non-finite or fractional value, naming the field', () => {
    expect(create({ retry: { limit: -1 } })).toThrow(/retry\.limit must be a non-negative number \(got -1\)/);
    expect(create({ retry: { baseDelayMs: Number.NaN } })).toThrow(/retry\.baseDelayMs must be/);
    expect(create({ retry: { maxDelayMs: Number.POSITIVE_INFINITY } })).toThrow(/retry\.maxDelayMs must be/);
    expect(create({ retry: { limit: 1.5 } })).toThrow(/retry\.limit must be a whole number of retries \(got 1\.5\)/);
    const error = (() => {
      try {
        create({ retry: { limit: -1 } })();
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(QkdConfigError);
    expect((error as QkdConfigError).endpoint).toBe('https://kme.example:8443');
  });

  it('refuses an unknown method', () => {
    expect(create({ method: 'put' as never })).toThrow(/method must be 'auto', 'get' or 'post' \(got put\)/);
  });

  it('accepts retry: false and a complete valid set of options', async () => {
    const client = createQkdClient({ ...base, retry: false, timeoutMs: 500, method: 'post', connections: 2 });
    await client.close();
  });
});
