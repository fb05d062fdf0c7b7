import { describe, expect, it } from 'vitest';
import { unitNodeOptions, youngGenerationAsBinary } from './unit-node-options.js';

describe('the benches start the daemon as its unit does', () => {
  it("start the young generation at the daemon unit's maximum (the binary's imports grow it there; a bench's do not)", () => {
    const options = unitNodeOptions('qkd-macsec.service');
    const max = /--max-semi-space-size=(\d+)/.exec(options)?.[1];
    expect(max).toBeDefined();
    expect(youngGenerationAsBinary(options)).toEqual([`--min-semi-space-size=${max}`]);
    expect(youngGenerationAsBinary('--no-warnings')).toEqual([]);
  });
});
