// Hostile XML over the wire: what a client sends is parsed by junos-netconf's parser inside the
// simulator, so an entity named after an inherited object property or an illegal character must
// come back as a malformed-message rpc-error, never decoded and echoed.
import { parseRpcReply } from '@qkd-macsec/junos-netconf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';
import { rawNetconf } from '../testing/raw-netconf.js';

let sim: SimJunos;
beforeAll(async () => {
  sim = await startSimJunos({ clock: 'manual', startTime: '2026-03-01T00:00:00Z', devices: { r1: {} } });
});
afterAll(() => sim.close());

const connect = () => {
  const d = sim.devices['r1']!;
  return rawNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint });
};

describe('hostile XML from a client', () => {
  it.each(['toString', 'constructor', 'valueOf', '__proto__'])('refuses message-id="&%s;" instead of echoing a decoded function', async (name) => {
    const nc = await connect();
    try {
      const reply = await nc.rpc('<get-software-information/>', `&${name};`);
      expect(reply).not.toContain('function');
      expect(reply).not.toContain('[object');
      expect(reply).toContain('<error-tag>malformed-message</error-tag>');
      expect(reply).toContain("an entity reference that is not one of the five predefined XML entities");
      // The session survives the bad message.
      expect(await nc.rpc('<get-software-information/>', '7')).toMatch(/message-id="7"[\s\S]*<host-name>r1<\/host-name>/);
    } finally {
      nc.close();
    }
  });

  it('refuses a NUL in an RPC, naming the character and where it is', async () => {
    const nc = await connect();
    try {
      const reply = await nc.rpc('<get-configuration><configuration><system><host-name>a\u0000b</host-name></system></configuration></get-configuration>', '8');
      expect(reply).toContain('<error-tag>malformed-message</error-tag>');
      expect(reply).toMatch(/U\+0000 is not a legal XML 1\.0 character \(at character \d+\)/);
    } finally {
      nc.close();
    }
  });
});

describe('<rpc> attributes echoed on <rpc-reply>', () => {
  /** The reply must be a well-formed <rpc-reply> with exactly one xmlns. */
  const wellFormed = (reply: string) => {
    expect(() => parseRpcReply(reply)).not.toThrow();
    expect(/<rpc-reply\b[^>]*>/.exec(reply)![0].match(/\sxmlns=/g)).toHaveLength(1);
  };

  it('echoes well-formed attributes besides message-id, as Junos does', async () => {
    const nc = await connect();
    try {
      nc.send('<rpc message-id="11" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" trace-id="t-1"><get-software-information/></rpc>');
      const reply = await nc.next();
      wellFormed(reply);
      expect(reply).toMatch(/<rpc-reply [^>]*message-id="11"[^>]* trace-id="t-1"/);
      expect(reply).toContain('<host-name>r1</host-name>');
    } finally {
      nc.close();
    }
  });

  it.each([
    ['a prefix with no name (:xmlns)', '<rpc :xmlns="urn:x" message-id="12"><get-software-information/></rpc>'],
    ['a prefixed xmlns (p:xmlns)', '<rpc xmlns:p="urn:p" p:xmlns="urn:x" message-id="12"><get-software-information/></rpc>'],
    ['a name with two colons', '<rpc a:b:c="1" message-id="12"><get-software-information/></rpc>'],
  ])('refuses %s with malformed-message, in a well-formed reply that keeps message-id', async (_what, rpc) => {
    const nc = await connect();
    try {
      nc.send(rpc);
      const reply = await nc.next();
      wellFormed(reply);
      expect(reply).toMatch(/<rpc-reply [^>]*message-id="12"/);
      expect(reply).toContain('<error-tag>malformed-message</error-tag>');
      expect(reply).toMatch(/<error-message>attribute '[^']+' of &lt;rpc&gt; /);
      expect(reply).not.toContain('<host-name>');
      expect(await nc.rpc('<get-software-information/>', '13')).toMatch(/message-id="13"[\s\S]*<host-name>r1<\/host-name>/);
    } finally {
      nc.close();
    }
  });
});

describe('get-configuration filters', () => {
  // Text inside a container of a subtree filter is a syntax error, answered like any other.
  it.each([
    ['text in a top-level container', '<get-configuration><configuration><security>Hmacsec/></security></configuration></get-configuration>', '[edit]', 'security'],
    ['text in a nested container', '<get-configuration><configuration><security><macsec>x</macsec></security></configuration></get-configuration>', '[edit security]', 'macsec'],
    ['the same through get-config', '<get-config><source><running/></source><filter type="subtree"><configuration><security>x</security></configuration></filter></get-config>', '[edit]', 'security'],
    ['the same through get', '<get><filter type="subtree"><configuration><security><macsec>x</macsec></security></configuration></filter></get>', '[edit security]', 'macsec'],
    ['the same in a compare', '<get-configuration compare="rollback" rollback="0"><configuration><system>x</system></configuration></get-configuration>', '[edit]', 'system'],
  ])('%s is an rpc-error naming the element and its path', async (_what, rpc, path, element) => {
    const nc = await connect();
    try {
      const reply = await nc.rpc(rpc, '21');
      expect(reply).not.toContain('internal error');
      expect(reply).toContain(
        `<rpc-error><error-type>protocol</error-type><error-tag>operation-failed</error-tag><error-severity>error</error-severity><error-path>${path}</error-path><error-message>'${element}' takes no value</error-message><error-info><bad-element>${element}</bad-element></error-info></rpc-error>`,
      );
    } finally {
      nc.close();
    }
  });
});
