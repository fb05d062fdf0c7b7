import type { ClientChannel } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRpcSession } from '../session/rpc-session.js';
import { DEFAULT_USER, startTestServer, type TestServer } from '../testing/netconf-server.js';
import { releaseHandshakeLeftovers } from './handshake-leftovers.js';
import { openSsh } from './transport.js';

// ssh2's private fields, reached through the channel the transport opened (tests only).
type Internals = {
  once(event: 'handshake' | 'close', listener: () => void): void;
  _protocol: {
    rekey(): void;
    _remoteIdentRaw: Buffer;
    _kex: { _keys: unknown; sessionID: Buffer };
    _decipher: { _tag?: Buffer; constructor: { name: string } };
  };
};
const internalsOf = (ch: ClientChannel) => (ch as unknown as { _client: Internals })._client;
const ownBuffer = (b: Buffer) => b.byteLength === b.buffer.byteLength;
const isGcm = (decipher: { constructor: { name: string } }) => /^AESGCMDecipher/.test(decipher.constructor.name);

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ handler: (rpc) => `<echo>${rpc.messageId}</echo>` });
});
afterAll(() => server.close());

async function netconfChannel() {
  const t = await openSsh({ host: server.host, port: server.port, hostKeyFingerprints: [server.hostKeyFingerprint], ...DEFAULT_USER });
  const ch = await t.openSubsystem();
  const session = await startRpcSession(ch);
  const echo = async () => (await session.rpc('<get-software-information/>')).raw;
  return { t, echo, client: internalsOf(ch) };
}

describe('releaseHandshakeLeftovers', () => {
  it("connectSsh drops the exchange's key pair and leaves no pool slab pinned by the ident line or the decipher's tag", async () => {
    const { t, client } = await netconfChannel();
    const p = client._protocol;
    expect(p._kex._keys).toBeNull();
    expect(p._kex.sessionID.byteLength).toBeGreaterThan(0); // what the exchange is kept for stays
    expect(ownBuffer(p._remoteIdentRaw)).toBe(true);
    expect(p._remoteIdentRaw.toString('latin1')).toMatch(/^SSH-2\.0-/);
    // AES-GCM where the CPU has AES instructions (ssh2 puts ChaCha20-Poly1305 first otherwise, which keeps no tag buffer)
    if (isGcm(p._decipher)) expect(ownBuffer(p._decipher._tag!)).toBe(true);
    else expect(p._decipher._tag).toBeUndefined();
    await t.close();
  });

  it('reports each field it changed, and changes nothing twice', async () => {
    const { t, client } = await netconfChannel();
    // Put back what connectSsh released, as ssh2 leaves it: a pool slice and the key pair.
    const p = client._protocol;
    const pooled = (b: Buffer) => Buffer.from(b.toString('latin1'), 'latin1');
    p._remoteIdentRaw = pooled(p._remoteIdentRaw);
    p._kex._keys = { privateKey: {}, publicKey: {} };
    const tagged = isGcm(p._decipher);
    if (tagged) p._decipher._tag = pooled(p._decipher._tag!);
    expect(releaseHandshakeLeftovers(client)).toEqual(['kex key pair', 'remote ident', ...(tagged ? ['decipher tag'] : [])]);
    expect(releaseHandshakeLeftovers(client)).toEqual([]);
    expect(releaseHandshakeLeftovers({})).toEqual([]);
    await t.close();
  });

  it('keeps the session working through rekeys (each exchange hash takes the copied ident line), and releases after each', async () => {
    const { t, echo, client } = await netconfChannel();
    expect(await echo()).toMatch(/<echo>\d+<\/echo>/);
    const sessionId = Buffer.from(client._protocol._kex.sessionID);
    // A wrong exchange hash fails the server's signature check: ssh2 then drops the connection.
    const rekey = () =>
      new Promise<void>((resolve, reject) => {
        client.once('handshake', resolve);
        client.once('close', () => reject(new Error('the connection closed during the rekey')));
        client._protocol.rekey();
      });
    const first = client._protocol._kex;
    await rekey();
    expect(client._protocol._kex).not.toBe(first); // a new exchange, with a new key pair…
    expect(client._protocol._kex._keys).toBeNull(); // …dropped too
    expect(await echo()).toMatch(/<echo>\d+<\/echo>/);
    expect(Buffer.from(client._protocol._kex.sessionID)).toEqual(sessionId); // RFC 4253 §7.2: the first exchange's
    await rekey();
    expect(await echo()).toMatch(/<echo>\d+<\/echo>/);
    await t.close();
  });
});
