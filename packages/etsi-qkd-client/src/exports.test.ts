// The package's run-time exports are exactly the documented ones: a new export is a decision
// (README first), not a side effect of `export *`.
import { describe, expect, it } from 'vitest';

describe('public API', () => {
  it('the main entry exports the client, its defaults, decodeKey and the error classes', async () => {
    const names = Object.keys(await import('./index.js')).sort();
    const errors = Object.keys(await import('./errors.js')).sort();
    expect(names).toEqual(['DEFAULT_MAX_RESPONSE_BYTES', 'DEFAULT_RETRY', 'createQkdClient', 'decodeKey', ...errors].sort());
    expect(errors).toHaveLength(16);
  });

  it('/schemas exports the ETSI 014 message schemas, parseMessage and the fixed 400 messages', async () => {
    expect(Object.keys(await import('./schemas.js')).sort()).toEqual(
      ['ETSI_400_MESSAGES', 'etsiErrorSchema', 'keyContainerSchema', 'keyIdsSchema', 'keyRequestSchema', 'parseMessage', 'statusSchema'].sort(),
    );
  });
});
