// A client that rekeys its SSH connection to sim-junos keeps its NETCONF session: the server's
// side of each new exchange hashes the client's identification line, which the server keeps as a
// copy of its own once a handshake is done (junos-netconf's releaseHandshakeLeftovers).
import { connectSsh, startRpcSession } from '@qkd-macsec/junos-netconf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';

let sim: SimJunos;
beforeAll(async () => {
  sim = await startSimJunos({ clock: 'manual', devices: { r1: {} }, links: [] });
});
afterAll(() => sim.close());

// ssh2's client, reached through the channel (tests only): rekey() is its protocol's.
type Client = { once(event: 'handshake' | 'close', listener: () => void): void; _protocol: { rekey(): void } };

describe('SSH rekey', () => {
  it('keeps the NETCONF session through two client-initiated rekeys', async () => {
    const d = sim.devices['r1']!;
    const t = await connectSsh({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
    const ch = await t.openSubsystem();
    const session = await startRpcSession(ch);
    const software = async () => (await session.rpc('<get-software-information/>')).raw;
    const client = (ch as unknown as { _client: Client })._client;
    const rekey = () =>
      new Promise<void>((resolve, reject) => {
        client.once('handshake', resolve);
        client.once('close', () => reject(new Error('the connection closed during the rekey')));
        client._protocol.rekey();
      });
    expect(await software()).toContain('<software-information>');
    await rekey();
    expect(await software()).toContain('<software-information>');
    await rekey();
    expect(await software()).toContain('<software-information>');
    await t.close();
  });
});
