import { afterEach, describe, expect, it } from 'vitest';
import { connectNetconf, type NetconfClientOptions } from '../netconf/client.js';
import { BASE_1_0, BASE_1_1 } from '../framing/hello.js';
import { NetconfTimeoutError } from '../errors.js';
import { XmlError } from '../xml/errors.js';
import { DEFAULT_USER, startTestServer, type TestServer, type TestServerOptions } from '../testing/netconf-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function setup(opts: TestServerOptions = {}, clientOpts: Partial<NetconfClientOptions> = {}) {
  const server = await startTestServer(opts);
  servers.push(server);
  const client = await connectNetconf({ host: server.host, port: server.port, ...DEFAULT_USER, hostKeyFingerprints: [server.hostKeyFingerprint], ...clientOpts });
  return { server, client };
}

describe('RPC session over real SSH', () => {
  it('negotiates base:1.1 chunked framing when both sides offer it', async () => {
    const { server, client } = await setup({ handler: () => '<data><x>1</x></data>' });
    expect(client.session.framing).toBe('chunked');
    expect(client.session.sessionId).toBeGreaterThan(1000);
    const r = await client.get();
    expect(r.data).toEqual({ x: '1' });
    expect(server.framings).toEqual(['chunked']);
    await client.close();
  });

  it('falls back to base:1.0 end-of-message framing with a 1.0-only server', async () => {
    const { server, client } = await setup({ capabilities: [BASE_1_0], handler: () => '<data><x>2</x></data>' });
    expect(client.session.framing).toBe('eom');
    expect((await client.getConfig()).data).toEqual({ x: '2' });
    expect(server.framings).toEqual(['eom']);
    await client.close();
  });

  it('keeps several RPCs in flight and matches replies answered out of order by message-id', async () => {
    const { server, client } = await setup({
      inOrder: false,
      handler: (rpc) => {
        const n = Number(/<n>(\d+)<\/n>/.exec(rpc.inner)![1]);
        return { delayMs: (20 - n) * 5, reply: `<echo><n>${n}</n></echo>` };
      },
    });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, n) => client.rpc(`<echo><n>${n}</n></echo>`)));
    expect(replies.map((r) => (r.result['echo'] as { n: string }).n)).toEqual(Array.from({ length: 20 }, (_, n) => String(n)));
    expect(new Set(replies.map((r) => r.messageId)).size).toBe(20);
    expect(server.received).toHaveLength(20);
    expect(replies.every((r) => r.elapsedMs >= 0 && r.rpc === 'echo' && !r.failed)).toBe(true);
    await client.close();
  });

  it('sends the RPCs issued in one turn in one SSH packet (pipelining), also from different async layers; awaited ones one each', async () => {
    const { server, client } = await setup({ handler: (rpc) => (rpc.name === 'get-config' ? '<data><x>1</x></data>' : '<ok/>') });
    await expect.poll(() => server.framings.length).toBe(1); // our hello is in (its own packet)
    let before = server.dataPackets();
    const [locked, read] = await Promise.all([client.lock(), client.getConfig()]);
    expect(locked.failed).toBe(false);
    expect(read.data).toEqual({ x: '1' });
    expect(server.dataPackets() - before).toBe(1);
    expect(server.received.map((r) => r.name)).toEqual(['lock', 'get-config']);

    // The second RPC sent from a promise callback of the same turn still shares the write.
    before = server.dataPackets();
    const viaLayer = Promise.resolve().then(() => Promise.resolve()).then(() => client.unlock());
    await Promise.all([client.getConfig(), viaLayer]);
    expect(server.dataPackets() - before).toBe(1);

    before = server.dataPackets();
    await client.lock();
    await client.unlock();
    expect(server.dataPackets() - before).toBe(2);
    expect(server.received.map((r) => r.name)).toEqual(['lock', 'get-config', 'get-config', 'unlock', 'lock', 'unlock']);
    await client.close();
  });

  it('throws RpcFailedError with every rpc-error, and returns warnings without throwing', async () => {
    const { client } = await setup({
      handler: (rpc) =>
        rpc.name === 'lock'
          ? '<rpc-error><error-type>protocol</error-type><error-tag>lock-denied</error-tag><error-severity>error</error-severity><error-message>configuration database locked by user1</error-message><error-info><session-id>1234</session-id></error-info></rpc-error>'
          : '<rpc-error><error-severity>warning</error-severity><error-message>just so you know</error-message></rpc-error><ok/>',
    });
    const err = await client.lock().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'RpcFailedError', rpc: 'lock' });
    const failed = err as import('../errors.js').RpcFailedError;
    expect(failed.errors[0]).toMatchObject({ tag: 'lock-denied', type: 'protocol', info: { 'session-id': '1234' } });
    expect(failed.raw).toContain('<error-tag>lock-denied</error-tag>');
    expect(failed.message).toContain('configuration database locked by user1');
    const soft = await client.lock('candidate', { throwOnError: false });
    expect(soft).toMatchObject({ failed: true });
    const warned = await client.commit();
    expect(warned.ok).toBe(true);
    expect(warned.failed).toBe(false);
    expect(warned.warnings.map((w) => w.message)).toEqual(['just so you know']);
    await client.close();
  });

  it('parseResult: false leaves the reply to the caller (raw only), yet errors still reject and warnings still show', async () => {
    const { client } = await setup({
      inOrder: false,
      handler: (rpc) => {
        const n = Number(/<n>(\d+)<\/n>/.exec(rpc.inner)?.[1] ?? -1);
        if (n === 1) return '<rpc-error><error-severity>error</error-severity><error-message>no such thing</error-message></rpc-error>';
        if (n === 2) return '<rpc-error><error-severity>warning</error-severity><error-message>just so you know</error-message></rpc-error><data/>';
        if (n === 4) return '<data><description>error-prone, with a warning label</description></data>'; // the words, no such element
        if (n === 5) return '<ok/>';
        return { delayMs: n === 0 ? 30 : 0, reply: `<data><n>${n}</n></data>` };
      },
    });
    // Out of order: each raw reply still goes to its own request.
    const [a, b] = await Promise.all([client.rpc('<get><n>0</n></get>', { parseResult: false }), client.rpc('<get><n>3</n></get>', { parseResult: false })]);
    expect([a.raw, b.raw].map((r) => /<n>(\d)<\/n>/.exec(r)?.[1])).toEqual(['0', '3']);
    expect(a.result).toEqual({});
    expect(a.failed).toBe(false);
    expect((await client.rpc('<get><n>0</n></get>')).result['data']).toEqual({ n: '0' }); // the default parses
    await expect(client.rpc('<get><n>1</n></get>', { parseResult: false })).rejects.toMatchObject({ name: 'RpcFailedError' });
    const warned = await client.rpc('<get><n>2</n></get>', { parseResult: false });
    expect(warned.warnings.map((w) => w.message)).toEqual(['just so you know']);
    const words = await client.rpc('<get><n>4</n></get>', { parseResult: false });
    expect([words.failed, words.ok, words.warnings, words.raw.includes('error-prone')]).toEqual([false, false, [], true]);
    expect((await client.rpc('<get><n>5</n></get>', { parseResult: false })).ok).toBe(true);
    await client.close();
  });

  it("parseResult: 'check' builds no tree, yet refuses a malformed reply, rejects errors and shows warnings", async () => {
    const { client } = await setup({
      handler: (rpc) => {
        const n = Number(/<n>(\d+)<\/n>/.exec(rpc.inner)?.[1] ?? -1);
        if (n === 1) return '<rpc-error><error-severity>error</error-severity><error-message>no such thing</error-message></rpc-error>';
        if (n === 2) return '<rpc-error><error-severity>warning</error-severity><error-message>just so you know</error-message></rpc-error><ok/>';
        if (n === 3) return '<commit-results><routing-engine><name>re0</name><commit-success/></routing-engine>'; // unclosed
        if (n === 4) return '<ok/>';
        return '<commit-results><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>';
      },
    });
    const done = await client.rpc('<commit-configuration><n>0</n></commit-configuration>', { parseResult: 'check' });
    expect(done).toMatchObject({ result: {}, ok: false, failed: false, errors: [], warnings: [] });
    expect(done.raw).toContain('<commit-success/>');
    expect((await client.rpc('<lock-configuration><n>4</n></lock-configuration>', { parseResult: 'check' })).ok).toBe(true);
    const malformed = await client.rpc('<commit-configuration><n>3</n></commit-configuration>', { parseResult: 'check' }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(XmlError);
    expect((malformed as Error).message).toMatch(/reply to <commit-configuration> .* refused/);
    await expect(client.rpc('<commit-configuration><n>1</n></commit-configuration>', { parseResult: 'check' })).rejects.toMatchObject({ name: 'RpcFailedError' });
    const warned = await client.rpc('<commit-configuration><n>2</n></commit-configuration>', { parseResult: 'check' });
    expect(warned.warnings.map((w) => w.message)).toEqual(['just so you know']);
    expect(warned.ok).toBe(true);
    // The session is still in step after all of that.
    expect((await client.rpc('<commit-configuration><n>0</n></commit-configuration>')).result['commit-results']).toBeDefined();
    await client.close();
  });

  it('times out one RPC and keeps the session usable', async () => {
    const { client } = await setup({ inOrder: false, handler: (rpc) => (rpc.name === 'slow' ? { noReply: true } : '<ok/>') });
    await expect(client.rpc('<slow/>', { timeoutMs: 100 })).rejects.toMatchObject({ name: 'NetconfTimeoutError', timeoutMs: 100 });
    expect((await client.rpc('<fast/>')).ok).toBe(true);
    expect(client.session.pending).toBe(0);
    await client.close();
  });

  it('times out each RPC at its own deadline with one timer per session: a shorter one behind a longer, several due at once, a late reply dropped', async () => {
    const { client, server } = await setup({
      inOrder: false,
      handler: (rpc) => (rpc.name === 'slow' ? { noReply: true } : rpc.name === 'late' ? { delayMs: 250, reply: '<ok/>' } : '<ok/>'),
    });
    const host = `${server.host}:${server.port}`;
    const t0 = performance.now();
    const long = client.rpc('<slow/>', { timeoutMs: 2_000 });
    long.catch(() => undefined);
    const settled: string[] = [];
    const short = client.rpc('<slow/>', { timeoutMs: 100 }).catch((e: Error) => (settled.push('short'), e));
    const late = client.rpc('<late/>', { timeoutMs: 150 }).catch((e: Error) => (settled.push('late'), e));
    const [e1, e2] = await Promise.all([short, late]);
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(145); // not before its deadline
    expect(waited).toBeLessThan(1_500); // at its own deadline, not the long RPC's
    expect(settled).toEqual(['short', 'late']);
    expect(e1).toBeInstanceOf(NetconfTimeoutError);
    expect((e1 as NetconfTimeoutError).message).toBe(`<slow> (message-id 102) timed out after 100 ms on ${host}`);
    expect(e2).toMatchObject({ name: 'NetconfTimeoutError', timeoutMs: 150, message: `<late> (message-id 103) timed out after 150 ms on ${host}` });
    expect(client.session.pending).toBe(1); // the long one is still waiting
    await new Promise((r) => setTimeout(r, 150)); // <late>'s reply arrives after its timeout: dropped
    expect((await client.rpc('<fast/>')).ok).toBe(true); // the session stays usable
    await expect(long).rejects.toMatchObject({ name: 'NetconfTimeoutError', timeoutMs: 2_000 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1_995);
    expect(client.session.pending).toBe(0);
    expect((await client.rpc('<fast/>', { timeoutMs: 50 })).ok).toBe(true); // and its timer re-arms for a new one
    await client.close();
  });

  it('aborts an RPC with an AbortSignal, before and during the call', async () => {
    const { client } = await setup({ inOrder: false, handler: (rpc) => (rpc.name === 'slow' ? { noReply: true } : '<ok/>') });
    const ac = new AbortController();
    const p = client.rpc('<slow/>', { signal: ac.signal });
    ac.abort(new Error('user cancelled'));
    await expect(p).rejects.toMatchObject({ name: 'NetconfAbortError' });
    await expect(client.rpc('<fast/>', { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'NetconfAbortError' });
    expect((await client.rpc('<fast/>')).ok).toBe(true);
    await client.close();
  });

  it('rejects every pending RPC with ConnectionClosedError when the connection drops mid-RPC', async () => {
    const { server, client } = await setup({ inOrder: false, handler: (rpc) => (rpc.name === 'boom' ? { drop: true } : { noReply: true }) });
    const closed = new Promise<Error | undefined>((r) => client.onClose(r));
    const waiting = client.rpc('<wait/>');
    const boom = client.rpc('<boom/>');
    await expect(waiting).rejects.toMatchObject({ name: 'ConnectionClosedError' });
    await expect(boom).rejects.toMatchObject({ name: 'ConnectionClosedError' });
    expect(await closed).toMatchObject({ name: 'ConnectionClosedError' });
    await expect(client.rpc('<after/>')).rejects.toMatchObject({ name: 'ConnectionClosedError' });
    expect(server.received.map((r) => r.name)).toEqual(['wait', 'boom']);
  });

  it('refuses a reply with a DOCTYPE or an entity bomb, and still serves the next RPC', async () => {
    const bomb = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rpc-reply message-id="101">&lol2;</rpc-reply>';
    const { client } = await setup({ capabilities: [BASE_1_0], handler: (rpc) => (rpc.name === 'evil' ? { raw: bomb } : '<ok/>') });
    await expect(client.rpc('<evil/>')).rejects.toMatchObject({ name: 'XmlError', reason: 'doctype', message: expect.stringContaining('reply to <evil>') });
    expect((await client.rpc('<fine/>')).ok).toBe(true);
    await client.close();
  });

  it('closes the session with FramingError on a reply larger than maxMessageBytes', async () => {
    const { client } = await setup({ handler: () => `<data>${'x'.repeat(50_000)}</data>` }, { maxMessageBytes: 10_000 });
    await expect(client.get()).rejects.toMatchObject({ name: 'FramingError', reason: 'message-too-large' });
    expect(client.closed).toBe(true);
  });

  it('fails the connect on a hostile server hello', async () => {
    const server = await startTestServer({ rawHello: `<!DOCTYPE hello [<!ENTITY e "${BASE_1_1}">]><hello><capabilities><capability>&e;</capability></capabilities><session-id>1</session-id></hello>` });
    servers.push(server);
    await expect(connectNetconf({ host: server.host, port: server.port, ...DEFAULT_USER, hostKeyFingerprints: [server.hostKeyFingerprint] })).rejects.toMatchObject({ name: 'XmlError', reason: 'doctype' });
  });

  it('gives a reply without message-id to the oldest pending RPC (servers answer in order)', async () => {
    const { client } = await setup({ capabilities: [BASE_1_0], handler: (rpc) => ({ raw: `<rpc-reply><name>${rpc.name}</name></rpc-reply>` }) });
    const [a, b] = await Promise.all([client.rpc('<first/>'), client.rpc('<second/>')]);
    expect(a.result['name']).toBe('first');
    expect(b.result['name']).toBe('second');
    await client.close();
  });

  it('times out a server that never sends its hello', async () => {
    const server = await startTestServer({ rawHello: null });
    servers.push(server);
    await expect(connectNetconf({ host: server.host, port: server.port, ...DEFAULT_USER, hostKeyFingerprints: [server.hostKeyFingerprint], helloTimeoutMs: 200 })).rejects.toMatchObject({
      name: 'NetconfTimeoutError',
      operation: 'NETCONF hello',
    });
  });

  it('refuses a server hello without a session-id', async () => {
    const server = await startTestServer({ rawHello: `<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>${BASE_1_0}</capability></capabilities></hello>` });
    servers.push(server);
    await expect(connectNetconf({ host: server.host, port: server.port, ...DEFAULT_USER, hostKeyFingerprints: [server.hostKeyFingerprint] })).rejects.toMatchObject({
      name: 'HelloError',
      message: expect.stringContaining('has no <session-id>'),
    });
  });

  it('close() sends <close-session/> and is idempotent; the client never shows the password', async () => {
    const { server, client } = await setup();
    expect(JSON.stringify(client)).not.toContain(DEFAULT_USER.password);
    expect((await import('node:util')).inspect(client, { depth: 5 })).not.toContain(DEFAULT_USER.password);
    await client.close();
    await client.close();
    expect(server.received.map((r) => r.name)).toEqual(['close-session']);
    expect(client.closed).toBe(true);
  });

  it('uploads and downloads files over SFTP on the same connection', async () => {
    const { server, client } = await setup();
    const big = Buffer.alloc(300_000, 7);
    await client.upload({ remotePath: '/var/tmp/a.conf', content: 'set system host-name r1\n' });
    await client.upload({ remotePath: '/var/tmp/big.bin', content: big });
    expect(server.files.get('/var/tmp/a.conf')?.toString()).toBe('set system host-name r1\n');
    expect((await client.download('/var/tmp/big.bin'))!.equals(big)).toBe(true);
    await expect(client.download('/nope')).rejects.toThrow(/SFTP download of 127\.0\.0\.1:\d+:\/nope failed/);
    await client.close();
  });
});
