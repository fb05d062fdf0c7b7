// Hostile XML over the wire: what a client sends is parsed by junos-netconf's parser inside the
// simulator, so an entity named after an inherited object property or an illegal character must
// come back as a malformed-message rpc-error, never decoded and echoed.
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
      expect(reply).toContain(`&amp;${name};`);
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
