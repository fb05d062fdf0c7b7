// The package's client against a NETCONF server nobody here wrote: yuma123's netconfd behind
// OpenSSH. Hello and framing negotiation, host key and auth checks done by a real sshd, and
// the standard operations on the candidate datastore, including errors the server really sends.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BASE_1_0,
  BASE_1_1,
  ConnectionClosedError,
  connectNetconf,
  createSessionPool,
  findAll,
  HostKeyError,
  NetconfTimeoutError,
  RpcError,
  RpcFailedError,
  textOf,
  type NetconfClient,
  type NetconfClientOptions,
} from '../index.js';
import { dumpDaemonLogsOnFailure, generateEd25519Key, skipInteropSuite, startNetconfd, type NetconfdServer } from './testing/netconfd-harness.js';

const CANDIDATE = 'urn:ietf:params:netconf:capability:candidate:1.0';

describe.skipIf(skipInteropSuite())('junos-netconf client against netconfd (yuma123) behind OpenSSH', () => {
  let server: NetconfdServer;
  const open: NetconfClient[] = [];

  beforeAll(async () => {
    server = await startNetconfd();
  });
  afterEach(async ({ task }) => {
    dumpDaemonLogsOnFailure(server, task);
    // Closing a session also releases any lock it still holds, so tests stay independent.
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  function options(overrides: Partial<NetconfClientOptions> = {}): NetconfClientOptions {
    return {
      host: server.host,
      port: server.port,
      username: server.username,
      privateKey: server.privateKey,
      hostKeyFingerprints: [server.hostKeyFingerprint],
      keepaliveIntervalMs: 0,
      // Under the test's 30 s: a reply that never comes fails naming its RPC, not as a bare timeout.
      rpcTimeoutMs: 10_000,
      ...overrides,
    };
  }

  /**
   * Connects, and returns once netconfd answers an RPC on the session. netconfd holds a message
   * that reaches it in the same read as the one before it (our hello behind netconf-subsystem's
   * connect message, or the first RPC behind our hello) until more input comes — see the pin in
   * netconfd-harness.test.ts. On a loaded machine a test's first RPC then waited forever. A probe
   * that goes unanswered is released by the next one (its late reply is dropped).
   */
  async function connectActive(overrides: Partial<NetconfClientOptions> = {}): Promise<NetconfClient> {
    const client = await connectNetconf(options(overrides));
    try {
      for (let probe = 1; ; probe++) {
        const answered = await client.getConfig('running', macsecFilter(), { timeoutMs: 2_000 }).then(
          () => true,
          (err: unknown) => {
            if (err instanceof NetconfTimeoutError && probe < 5) return false;
            throw err;
          },
        );
        if (answered) return client;
      }
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  async function connect(overrides: Partial<NetconfClientOptions> = {}): Promise<NetconfClient> {
    const client = await connectActive(overrides);
    open.push(client);
    return client;
  }

  const ns = () => server.fixtureNamespace;
  const caConfig = (name: string, ckn: string) =>
    `<macsec xmlns="${ns()}"><connectivity-association><name>${name}</name><ckn>${ckn}</ckn></connectivity-association></macsec>`;
  const macsecFilter = () => ({ subtree: `<macsec xmlns="${ns()}"/>` });

  /** name → ckn of every connectivity-association in a datastore. */
  async function associations(client: NetconfClient, source: 'running' | 'candidate'): Promise<Map<string, string>> {
    const { data } = await client.getConfig(source, macsecFilter());
    const found = new Map<string, string>();
    for (const ca of findAll(data, 'connectivity-association')) {
      const entry = ca as Record<string, unknown>;
      found.set(textOf(entry['name']) ?? '', textOf(entry['ckn']) ?? '');
    }
    return found;
  }

  describe('hello and transport', () => {
    it('exchanges hellos and negotiates base:1.1 chunked framing', async () => {
      const client = await connect();
      expect(client.session.serverCapabilities).toEqual(expect.arrayContaining([BASE_1_0, BASE_1_1, CANDIDATE]));
      expect(client.session.framing).toBe('chunked');
      expect(client.session.sessionId).toEqual(expect.any(Number));
      expect(client.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
    });

    it('accepts the host through a known_hosts file with a [host]:port entry', async () => {
      const knownHostsFile = join(server.workDir, 'client_known_hosts');
      await writeFile(knownHostsFile, `[${server.host}]:${server.port} ${server.hostPublicKey}\n`);
      const client = await connect({ hostKeyFingerprints: undefined, knownHostsFile });
      expect(client.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
    });

    it('refuses sshd when its host key is not the pinned one', async () => {
      const wrong = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;
      const err = await connect({ hostKeyFingerprints: [wrong] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyError);
      expect(err).toMatchObject({ reason: 'mismatch', seen: server.hostKeyFingerprint, expected: [wrong] });
    });

    it('refuses an unknown host key when nothing is pinned', async () => {
      const err = await connect({ hostKeyFingerprints: undefined }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostKeyError);
      expect(err).toMatchObject({ reason: 'unknown', seen: server.hostKeyFingerprint });
    });

    it('reports sshd refusing a key it does not authorise as AuthenticationError', async () => {
      const stranger = generateEd25519Key().privateKey;
      const err = await connect({ privateKey: stranger }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(String(err)).not.toContain(stranger);
    });
  });

  describe('session lifecycle and SFTP on the same connection', () => {
    it('a session killed by another (kill-session) ends: its RPCs reject and onClose reports why', async () => {
      const victim = await connect();
      const closed = new Promise<Error | undefined>((resolve) => victim.onClose(resolve));
      const killer = await connect();
      expect((await killer.killSession(victim.session.sessionId!)).ok).toBe(true);
      const reason = await closed;
      expect(reason).toBeInstanceOf(ConnectionClosedError);
      expect(victim.closed).toBe(true);
      await expect(victim.getConfig('running')).rejects.toBeInstanceOf(ConnectionClosedError);
      // The server carries on for everyone else.
      expect((await killer.getConfig('running')).failed).toBe(false);
    });

    it('uploads and downloads a file through OpenSSH\'s SFTP server', async () => {
      const client = await connect();
      const remotePath = join(server.workDir, 'uploaded-event-script.py');
      const content = '# event script\nprint("qkd")\n';
      await client.upload({ remotePath, content });
      expect(readFileSync(remotePath, 'utf8')).toBe(content);
      expect((await client.download(remotePath))?.toString('utf8')).toBe(content);
      // The NETCONF session is still fine alongside the SFTP channel.
      expect((await client.getConfig('running')).failed).toBe(false);
    });

    it('names the remote path when a download fails', async () => {
      const client = await connect();
      const missing = join(server.workDir, 'no-such-file');
      await expect(client.download(missing)).rejects.toThrow(missing);
    });
  });

  describe('session pool against a real server', () => {
    it('reconnects after netconfd kills the pooled session', async () => {
      let connects = 0;
      const pool = createSessionPool({
        connect: async () => {
          connects++;
          return connectActive();
        },
        maxConcurrency: 2,
        retry: { limit: 2, baseDelayMs: 10, maxDelayMs: 50 },
        keepaliveIntervalMs: 0,
      });
      try {
        const firstId = await pool.use('netconfd', async (client) => {
          expect((await client.getConfig('running')).failed).toBe(false);
          return client.session.sessionId!;
        });
        const killer = await connect();
        const victimClosed = await pool.use('netconfd', async (client) => {
          const closed = new Promise<void>((resolve) => client.onClose(() => resolve()));
          await killer.killSession(firstId);
          return closed;
        });
        expect(victimClosed).toBeUndefined();
        const secondId = await pool.use('netconfd', async (client) => {
          expect((await client.getConfig('running')).failed).toBe(false);
          return client.session.sessionId!;
        });
        expect(secondId).not.toBe(firstId);
        expect(connects).toBe(2);
      } finally {
        await pool.close();
      }
    });

    it('does not retry a host key mismatch', async () => {
      let wrongConnects = 0;
      const wrong = `SHA256:${Buffer.alloc(32, 9).toString('base64').replace(/=+$/, '')}`;
      const strict = createSessionPool({
        connect: async () => {
          wrongConnects++;
          return connectNetconf(options({ hostKeyFingerprints: [wrong] }));
        },
        retry: { limit: 2, baseDelayMs: 10, maxDelayMs: 50 },
        keepaliveIntervalMs: 0,
      });
      try {
        await expect(strict.use('netconfd', async () => undefined)).rejects.toBeInstanceOf(HostKeyError);
        expect(wrongConnects).toBe(1);
      } finally {
        await strict.close();
      }
    });
  });

  // Every operation runs in both framings: chunked (base:1.1, what netconfd picks when offered)
  // and end-of-message (base:1.0, what a client offering only 1.0 gets).
  describe.each([
    { framing: 'chunked', capabilities: [BASE_1_0, BASE_1_1] },
    { framing: 'eom', capabilities: [BASE_1_0] },
  ] as const)('standard operations on the candidate datastore ($framing framing)', ({ framing, capabilities }) => {
    async function connectFramed(): Promise<NetconfClient> {
      const client = await connect({ capabilities: [...capabilities] });
      expect(client.session.framing).toBe(framing);
      return client;
    }

    // One session serves the block (a NETCONF hello through netconf-subsystem costs netconfd
    // a few hundred ms); tests needing a second session open their own.
    let client: NetconfClient;
    beforeAll(async () => {
      client = await connectActive({ capabilities: [...capabilities] });
      expect(client.session.framing).toBe(framing);
    });
    afterEach(async () => {
      // Leave no lock and no pending candidate edits behind, whatever the test did.
      await client.unlock('candidate', { throwOnError: false }).catch(() => undefined);
      await client.discardChanges({ throwOnError: false }).catch(() => undefined);
    });
    afterAll(async () => {
      await client?.close();
    });

    it('reads the running configuration', async () => {
      const reply = await client.getConfig('running');
      expect(reply.ok).toBe(false);
      expect(reply.failed).toBe(false);
      expect(reply.rpc).toBe('get-config');
      expect(reply.raw).toMatch(/<rpc-reply[^>]*message-id="/);
      expect(reply.data).toEqual(expect.any(Object));
    });

    it('locks and unlocks the candidate', async () => {
      expect((await client.lock('candidate')).ok).toBe(true);
      expect((await client.unlock('candidate')).ok).toBe(true);
    });

    it('edit-config to the candidate, commit, and get-config running shows the change', async () => {
      await client.lock('candidate');
      const edit = await client.editConfig({ target: 'candidate', config: caConfig(`CA-commit-${framing}`, 'aa01') });
      expect(edit.ok).toBe(true);
      expect((await associations(client, 'running')).has(`CA-commit-${framing}`)).toBe(false);
      expect((await client.commit()).ok).toBe(true);
      expect((await associations(client, 'running')).get(`CA-commit-${framing}`)).toBe('aa01');
      await client.unlock('candidate');

      // A second session sees the committed configuration too.
      const other = await connectFramed();
      expect((await associations(other, 'running')).get(`CA-commit-${framing}`)).toBe('aa01');
    });

    it('edit-config then discard-changes leaves candidate and running without the change', async () => {
      await client.editConfig({ config: caConfig(`CA-discard-${framing}`, 'bb02') });
      expect((await associations(client, 'candidate')).get(`CA-discard-${framing}`)).toBe('bb02');
      expect((await client.discardChanges()).ok).toBe(true);
      expect((await associations(client, 'candidate')).has(`CA-discard-${framing}`)).toBe(false);
      expect((await associations(client, 'running')).has(`CA-discard-${framing}`)).toBe(false);
    });

    // <cancel-commit> belongs to :confirmed-commit:1.1, which needs base:1.1: in a base:1.0
    // session netconfd answers unknown-element.
    it.skipIf(framing === 'eom')('a confirmed commit that is cancelled rolls running back', async () => {
      await client.editConfig({ config: caConfig('CA-confirmed', 'cc03') });
      expect((await client.commit({ confirmed: true, confirmTimeoutSeconds: 120 })).ok).toBe(true);
      expect((await associations(client, 'running')).get('CA-confirmed')).toBe('cc03');
      expect((await client.cancelCommit()).ok).toBe(true);
      expect((await associations(client, 'running')).has('CA-confirmed')).toBe(false);
    });

    it('keeps several RPCs in flight on one session and matches each reply to its request', async () => {
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? client.getConfig('running') : client.getConfig('candidate', macsecFilter()))),
      );
      const ids = replies.map((r) => r.messageId);
      expect(new Set(ids).size).toBe(8);
      for (const r of replies) expect(r.raw).toContain(`message-id="${r.messageId}"`);
    });

    it("a second session's lock fails with lock-denied, parsed into a typed RpcError", async () => {
      const holder = client;
      await holder.lock('candidate');
      const contender = await connectFramed();

      const err = await contender.lock('candidate').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcFailedError);
      const failed = err as RpcFailedError;
      expect(failed.rpc).toBe('lock');
      expect(failed.raw).toContain('<error-tag>lock-denied</error-tag>');
      expect(failed.errors).toHaveLength(1);
      const [denied] = failed.errors;
      expect(denied).toBeInstanceOf(RpcError);
      expect(denied).toMatchObject({ severity: 'error', type: 'protocol', tag: 'lock-denied', message: 'lock denied' });
      // RFC 6241: error-info names the session holding the lock.
      expect(textOf(denied?.info?.['session-id'])).toBe(String(holder.session.sessionId));
      expect(failed.message).toContain('lock-denied');

      // Without throwing, the same failure comes back as data.
      const soft = await contender.lock('candidate', { throwOnError: false });
      expect(soft.failed).toBe(true);
      expect(soft.errors[0]?.tag).toBe('lock-denied');

      // Once the holder lets go, the contender gets it.
      await holder.unlock('candidate');
      expect((await contender.lock('candidate')).ok).toBe(true);
    });

    it('edit-config straight to running fails with the error-path netconfd reports', async () => {
      const err = await client.editConfig({ target: 'running', config: caConfig('CA-running', 'dd04') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcFailedError);
      expect((err as RpcFailedError).errors[0]).toMatchObject({
        severity: 'error',
        tag: 'operation-failed',
        path: '/nc:rpc/nc:edit-config/nc:target',
      });
      // The session is still usable after a failed RPC.
      expect((await client.getConfig('running')).failed).toBe(false);
    });

    it('a value the fixture schema does not know is refused, and nothing changes', async () => {
      const bogus = `<macsec xmlns="${ns()}"><connectivity-association><name>CA-bogus-${framing}</name><no-such-leaf>1</no-such-leaf></connectivity-association></macsec>`;
      const err = await client.editConfig({ config: bogus }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RpcFailedError);
      expect((err as RpcFailedError).errors[0]?.severity).toBe('error');
      await client.discardChanges();
      expect((await associations(client, 'candidate')).has(`CA-bogus-${framing}`)).toBe(false);
    });
  });
});
