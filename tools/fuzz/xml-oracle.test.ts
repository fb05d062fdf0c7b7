import { describe, expect, it } from 'vitest';
import { leakedInternals, mustRefuse } from './xml-oracle.js';

describe('mustRefuse', () => {
  it('passes well-formed documents with predefined, decimal and hex references', () => {
    expect(mustRefuse('<a b="&quot;x&apos;">&amp;&lt;&gt;&#65;&#x1F600;\t\r\n</a>')).toBeUndefined();
    expect(mustRefuse('<a><![CDATA[&nbsp; & <]]><!-- &copy; --></a>')).toBeUndefined();
  });

  it('names characters XML 1.0 does not allow, raw or referenced', () => {
    expect(mustRefuse('<a>\u0000</a>')).toEqual({ reason: 'illegal character', detail: 'U+0000 at 3' });
    expect(mustRefuse('<a>\ud800</a>')?.reason).toBe('illegal character');
    expect(mustRefuse('<a>\ufffe</a>')?.reason).toBe('illegal character');
    expect(mustRefuse('<a>&#0;</a>')).toEqual({ reason: 'reference to an illegal character', detail: '&#0;' });
    expect(mustRefuse('<a>&#x110000;</a>')?.reason).toBe('reference to an illegal character');
  });

  it('refuses entity references other than the five predefined ones, Object.prototype names included', () => {
    for (const ref of ['&constructor;', '&toString;', '&__proto__;', '&nbsp;', '&;', '&#x;', 'a & b'])
      expect(mustRefuse(`<a>${ref}</a>`)?.reason, ref).toBe('undefined entity reference');
  });
});

describe('leakedInternals', () => {
  it('finds JavaScript function text or functions anywhere in a parsed value', () => {
    expect(leakedInternals({ a: [{ b: 'function Object() { [native code] }' }] })).toContain('[native code]');
    expect(leakedInternals({ a: () => 1 })).toMatch(/^a function/);
    expect(leakedInternals({ a: ['x', { b: 'native code' }] })).toBeUndefined();
  });
});
