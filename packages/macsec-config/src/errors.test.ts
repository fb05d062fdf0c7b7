// The package's errors follow CONTRIBUTING.md: one base, (message, context), the context's fields
// readable on the error, `cause` handed to Error's own, `name` the class name.
import { describe, expect, it } from 'vitest';
import { ConfigParseError, KeyDerivationError, MacsecConfigError, MacsecValidationError, RingPlanError, validationError } from './errors.js';

describe('errors', () => {
  const cause = new Error('underneath');
  const made = [
    [MacsecConfigError, new MacsecConfigError('m', { cause }), {}],
    [MacsecValidationError, new MacsecValidationError('m', { issues: [{ path: 'p', message: 'x' }], cause }), { issues: [{ path: 'p', message: 'x' }] }],
    [KeyDerivationError, new KeyDerivationError('m', { keyId: 'k', strategy: 's', cipherSuite: 'gcm-aes-128', keyBits: 64, neededBits: 128, cause }), { keyId: 'k', strategy: 's', cipherSuite: 'gcm-aes-128', keyBits: 64, neededBits: 128 }],
    [ConfigParseError, new ConfigParseError('m', { path: 'configuration/security', cause }), { path: 'configuration/security' }],
    [RingPlanError, new RingPlanError('m', { code: 'ring-full', chain: 'KC', slot: 3, cause }), { code: 'ring-full', chain: 'KC', slot: 3 }],
  ] as const;

  for (const [cls, err, fields] of made) {
    it(`${cls.name}: name, context fields on the error, cause, base class`, () => {
      expect(err.name).toBe(cls.name);
      expect(err).toBeInstanceOf(MacsecConfigError);
      expect(err).toMatchObject(fields);
      expect(err.cause).toBe(cause);
    });
  }

  it('ConfigParseError says where; the base needs no context', () => {
    expect(new ConfigParseError('missing <name>', { path: 'configuration/x' }).message).toBe('configuration/x: missing <name>');
    expect(new MacsecConfigError('plain').cause).toBeUndefined();
  });

  it('validationError lists every issue with its path', () => {
    expect(validationError([{ path: 'a', message: 'bad' }]).message).toBe('invalid MACsec configuration: a: bad');
    const two = validationError([
      { path: 'a', message: 'bad' },
      { path: 'b', message: 'worse' },
    ]);
    expect(two.message).toBe('invalid MACsec configuration (2 problems): a: bad; b: worse');
    expect(two.issues).toHaveLength(2);
  });
});
