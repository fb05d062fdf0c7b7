import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';

describe('error classes', () => {
  it('each has its own name (not derived from a possibly minified class name) and extends QkdError', () => {
    const classes = Object.entries(errors).filter(([name]) => name.startsWith('Qkd'));
    expect(classes).toHaveLength(16);
    for (const [name, ErrorClass] of classes) {
      const error = new (ErrorClass as typeof errors.QkdTlsError)('boom', { endpoint: 'https://kme/x', saeIds: ['SAE_B'], code: 'X', status: 400 } as never);
      expect(error.name).toBe(name);
      expect(error).toBeInstanceOf(errors.QkdError);
      expect(error).toBeInstanceOf(Error);
      expect(String(error)).toBe(`${name}: boom`);
      expect(error.endpoint).toBe('https://kme/x');
      expect(error.saeIds).toEqual(['SAE_B']);
    }
  });

  it('HTTP errors are QkdHttpErrors carrying status and the ETSI body', () => {
    const error = new errors.QkdServiceUnavailableError('m', { endpoint: 'e', saeIds: [], status: 503, etsiError: { message: 'no keys' } });
    expect(error).toBeInstanceOf(errors.QkdHttpError);
    expect(error.status).toBe(503);
    expect(error.etsiError).toEqual({ message: 'no keys' });
    expect(Object.isFrozen(error.saeIds)).toBe(true);
  });
});
