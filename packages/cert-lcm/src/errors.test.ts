import { describe, expect, it } from 'vitest';
import * as errors from './errors.js';

describe('error classes', () => {
  it('take (message, context): source and cause from the context, name from the class, all CertLcmErrors', () => {
    const classes = Object.entries(errors).filter(([, value]) => typeof value === 'function');
    expect(classes.map(([name]) => name).sort()).toEqual(
      ['CertLcmError', 'CertificateError', 'CertificateRequestError', 'CsrError', 'DistributionError', 'FileError', 'PrivateKeyError', 'RenewalError'].sort(),
    );
    const cause = new Error('low level');
    for (const [name, ErrorClass] of classes) {
      const error = new (ErrorClass as typeof errors.CsrError)('/etc/sae.crt: boom', { source: '/etc/sae.crt', cause, problems: ['boom'] });
      expect(error).toBeInstanceOf(errors.CertLcmError);
      expect(error.name).toBe(name);
      expect(String(error)).toBe(`${name}: /etc/sae.crt: boom`);
      expect(error.source).toBe('/etc/sae.crt');
      expect(error.cause).toBe(cause);
    }
    expect(new errors.CertificateError('m', { source: 's', problems: ['a', 'b'] }).problems).toEqual(['a', 'b']);
    expect(new errors.PrivateKeyError('m', { source: 's' }).reason).toBe('unparseable');
    expect('cause' in new errors.FileError('m', { source: 's' })).toBe(false);
  });
});
