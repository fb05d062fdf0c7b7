import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConnectionClosedError,
  ConnectionError,
  HostKeyError,
  NetconfAbortError,
  NetconfError,
  NetconfTimeoutError,
  PoolClosedError,
  RpcError,
  RpcFailedError,
} from './errors.js';
import { createFrameDecoder } from './framing/decoder.js';
import { FramingError } from './framing/errors.js';
import { HelloError, parseHello } from './framing/hello.js';
import { connectNetconf } from './netconf/client.js';
import { createSessionPool } from './pool/pool.js';
import { DEFAULT_USER, generateHostKey, startTestServer, type TestServer } from './testing/netconf-server.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const quiet = { warn: () => undefined };

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(options);
  servers.push(s);
  return s;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

/** Everything a log line could show of an error: message, stack, JSON, inspect (with its cause chain). */
const shown = (err: unknown): string => [String(err), (err as Error).stack, JSON.stringify(err), inspect(err, { depth: 10 })].join('\n');

/** A TCP port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('one error model: every error the package throws on purpose is a NetconfError', () => {
  it('AuthenticationError: names host, user and methods, never the password', async () => {
    const s = await server();
    const err = await rejection(connectNetconf({ host: s.host, port: s.port, username: 'lab', password: 'wrong-secret-pw', hostKeyFingerprints: [s.hostKeyFingerprint], logger: quiet }));
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toBeInstanceOf(NetconfError);
    expect(err).toMatchObject({ name: 'AuthenticationError', host: `${s.host}:${s.port}`, username: 'lab', methods: ['password', 'keyboard-interactive'] });
    expect(shown(err)).not.toContain('wrong-secret-pw');
  });

  it('HostKeyError: reason, host, seen and expected fingerprints', async () => {
    const s = await server();
    const other = generateHostKey().fingerprint;
    const err = await rejection(connectNetconf({ host: s.host, port: s.port, ...DEFAULT_USER, hostKeyFingerprints: [other], logger: quiet }));
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err).toBeInstanceOf(NetconfError);
    expect(err).toMatchObject({ name: 'HostKeyError', reason: 'mismatch', host: `[${s.host}]:${s.port}`, seen: s.hostKeyFingerprint, expected: [other] });
    expect(shown(err)).not.toContain(DEFAULT_USER.password);
  });

  it('ConnectionError: an unreachable port, with host and the socket error as cause', async () => {
    const port = await closedPort();
    const err = await rejection(connectNetconf({ host: '127.0.0.1', port, ...DEFAULT_USER, insecureAcceptUnknownHostKey: true, logger: quiet }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toBeInstanceOf(NetconfError);
    expect(err).toMatchObject({ name: 'ConnectionError', host: `127.0.0.1:${port}` });
    expect((err as Error).cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(shown(err)).not.toContain(DEFAULT_USER.password);
  });

  it('ConnectionError: a known_hosts file that cannot be read, with the host it was for', async () => {
    const err = await rejection(connectNetconf({ host: 'r1.lab', ...DEFAULT_USER, knownHostsFile: '/nonexistent/known_hosts', logger: quiet }));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ host: '[r1.lab]:830' });
    expect((err as Error).cause).toMatchObject({ code: 'ENOENT' });
  });

  it('RpcFailedError and RpcError: rpc, message-id and host of the failed request', async () => {
    const s = await server({ handler: () => '<rpc-error><error-severity>error</error-severity><error-tag>lock-denied</error-tag><error-message>held by 7</error-message></rpc-error>' });
    const client = await connectNetconf({ host: s.host, port: s.port, ...DEFAULT_USER, hostKeyFingerprints: [s.hostKeyFingerprint], logger: quiet });
    try {
      const err = await rejection(client.lock());
      expect(err).toBeInstanceOf(RpcFailedError);
      expect(err).toBeInstanceOf(NetconfError);
      expect(err).toMatchObject({ name: 'RpcFailedError', rpc: 'lock', messageId: '101', host: `${s.host}:${s.port}` });
      const [first] = (err as RpcFailedError).errors;
      expect(first).toBeInstanceOf(RpcError);
      expect(first).toBeInstanceOf(NetconfError);
      expect(first).toMatchObject({ name: 'RpcError', severity: 'error', tag: 'lock-denied', message: 'held by 7' });
      expect(shown(err)).not.toContain(DEFAULT_USER.password);
    } finally {
      await client.close();
    }
  });

  it('NetconfTimeoutError and NetconfAbortError: operation, rpc, message-id and host', async () => {
    const s = await server({ handler: () => ({ noReply: true }) });
    const client = await connectNetconf({ host: s.host, port: s.port, ...DEFAULT_USER, hostKeyFingerprints: [s.hostKeyFingerprint], logger: quiet });
    try {
      const timedOut = await rejection(client.rpc('<get-software-information/>', { timeoutMs: 50 }));
      expect(timedOut).toBeInstanceOf(NetconfTimeoutError);
      expect(timedOut).toBeInstanceOf(NetconfError);
      expect(timedOut).toMatchObject({ name: 'NetconfTimeoutError', rpc: 'get-software-information', messageId: '101', timeoutMs: 50, host: `${s.host}:${s.port}` });
      const controller = new AbortController();
      const pending = client.rpc('<get-chassis-inventory/>', { signal: controller.signal });
      controller.abort('enough');
      const aborted = await rejection(pending);
      expect(aborted).toBeInstanceOf(NetconfAbortError);
      expect(aborted).toBeInstanceOf(NetconfError);
      expect(aborted).toMatchObject({ name: 'NetconfAbortError', rpc: 'get-chassis-inventory', messageId: '102', reason: 'enough', host: `${s.host}:${s.port}` });
    } finally {
      await client.close();
    }
  });

  it('ConnectionClosedError: the pending RPC of a dropped session, with the host', async () => {
    const s = await server({ handler: () => ({ drop: true }) });
    const client = await connectNetconf({ host: s.host, port: s.port, ...DEFAULT_USER, hostKeyFingerprints: [s.hostKeyFingerprint], logger: quiet });
    const err = await rejection(client.rpc('<get-software-information/>'));
    expect(err).toBeInstanceOf(ConnectionClosedError);
    expect(err).toBeInstanceOf(NetconfError);
    expect(err).toMatchObject({ name: 'ConnectionClosedError', host: `${s.host}:${s.port}` });
    await client.close();
  });

  it('FramingError and HelloError: reason (and offset) on the error', () => {
    const decoder = createFrameDecoder({ framing: 'chunked' });
    decoder.push(Buffer.from('\n#0\n'));
    const framing = thrown(() => decoder.next());
    expect(framing).toBeInstanceOf(FramingError);
    expect(framing).toBeInstanceOf(NetconfError);
    expect(framing).toMatchObject({ name: 'FramingError', reason: 'bad-chunk-size', offset: 2 });
    const hello = thrown(() => parseHello('<rpc/>'));
    expect(hello).toBeInstanceOf(HelloError);
    expect(hello).toBeInstanceOf(NetconfError);
    expect(hello).toMatchObject({ name: 'HelloError', reason: 'not-a-hello' });
  });

  it('PoolClosedError: the key of the refused use()', async () => {
    const pool = createSessionPool({ connect: async () => ({ closed: false, close: async () => undefined }), logger: quiet });
    await pool.close();
    const err = await rejection(pool.use('r7', async () => 'never'));
    expect(err).toBeInstanceOf(PoolClosedError);
    expect(err).toBeInstanceOf(NetconfError);
    expect(err).toMatchObject({ name: 'PoolClosedError', key: 'r7' });
  });

  it('takes (message, context): the context readable on the error, its cause handed to Error', () => {
    const cause = new Error('socket hang up');
    const err = new ConnectionError('SSH connection failed (r1:830)', { host: 'r1:830', cause });
    expect(err.message).toBe('SSH connection failed (r1:830)');
    expect(err.host).toBe('r1:830');
    expect(err.cause).toBe(cause);
    expect(Object.hasOwn(new ConnectionClosedError('closed', {}), 'cause')).toBe(false);
  });
});
