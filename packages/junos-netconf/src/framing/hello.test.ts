import { describe, expect, it } from 'vitest';
import { BASE_1_0, BASE_1_1, buildHello, negotiateFraming, parseHello } from './hello.js';

describe('hello', () => {
  it('round-trips capabilities (escaped) and session id', () => {
    const caps = [BASE_1_0, BASE_1_1, 'urn:ietf:params:xml:ns:yang:ietf-interfaces?module=ietf-interfaces&revision=2018-02-20'];
    expect(parseHello(buildHello(caps, 4242))).toEqual({ capabilities: caps, sessionId: 4242 });
    expect(parseHello(buildHello(caps))).toEqual({ capabilities: caps });
  });

  it('parses a Junos hello with a namespace prefix and whitespace', () => {
    const junos = `<!-- No zombies were killed during the creation of this user interface -->
<!-- user root, class super-user -->
<nc:hello xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">
  <nc:capabilities>
    <nc:capability>urn:ietf:params:netconf:base:1.0</nc:capability>
    <nc:capability>http://xml.juniper.net/netconf/junos/1.0</nc:capability>
  </nc:capabilities>
  <nc:session-id>27700</nc:session-id>
</nc:hello>`;
    expect(parseHello(junos)).toEqual({ capabilities: [BASE_1_0, 'http://xml.juniper.net/netconf/junos/1.0'], sessionId: 27700 });
  });

  it.each([
    ['<rpc-reply/>', 'not-a-hello'],
    ['<hello><capabilities/></hello>', 'no-capabilities'],
    [`<hello><capabilities><capability>${BASE_1_0}</capability></capabilities><session-id>0</session-id></hello>`, 'bad-session-id'],
    [`<hello><capabilities><capability>${BASE_1_0}</capability></capabilities><session-id>4294967296</session-id></hello>`, 'bad-session-id'],
  ])('refuses %j (%s)', (xml, reason) => {
    expect(() => parseHello(xml)).toThrow(expect.objectContaining({ name: 'HelloError', reason }));
  });

  it('refuses a hello with a DOCTYPE', () => {
    expect(() => parseHello(`<!DOCTYPE hello [<!ENTITY e "x">]><hello><capabilities><capability>&e;</capability></capabilities></hello>`)).toThrow(
      expect.objectContaining({ name: 'XmlError', reason: 'doctype' }),
    );
  });

  it('negotiates chunked framing only when both sides offer base:1.1', () => {
    expect(negotiateFraming([BASE_1_0, BASE_1_1], [BASE_1_0, BASE_1_1])).toBe('chunked');
    expect(negotiateFraming([BASE_1_0, BASE_1_1], [BASE_1_0])).toBe('eom');
    expect(negotiateFraming([BASE_1_0], [BASE_1_0, BASE_1_1])).toBe('eom');
    expect(() => negotiateFraming([BASE_1_0], [BASE_1_1])).toThrow(expect.objectContaining({ reason: 'no-common-base' }));
  });
});
