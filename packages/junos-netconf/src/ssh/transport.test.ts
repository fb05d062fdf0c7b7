import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER, generateHostKey, startTestServer, type TestServer } from '../testing/netconf-server.js';
import { generateEd25519 } from '../testing/ssh-keys.js';
import { connectSsh, redactOptions } from './transport.js';

const userKey = generateEd25519({ passphrase: 'key-passphrase-xyz', cipher: 'aes256-ctr', rounds: 4 });
let server: TestServer;
const hasAgent = spawnSync('ssh-agent', ['-h']).error === undefined;
if (!hasAgent) console.warn('!!! ssh-agent not installed: skipping the agent authentication test !!!');

beforeAll(async () => {
  server = await startTestServer({ users: [DEFAULT_USER, { username: 'keyuser', publicKey: userKey.public }] });
});
afterAll(() => server.close());

const base = () => ({ host: server.host, port: server.port, hostKeyFingerprints: [server.hostKeyFingerprint] });

describe('SSH transport', () => {
  it('connects with a pinned fingerprint and password, and opens the netconf subsystem', async () => {
    const t = await connectSsh({ ...base(), ...DEFAULT_USER });
    expect(t.hostKeyFingerprint).toBe(server.hostKeyFingerprint);
    const ch = await t.openSubsystem();
    const hello = await new Promise<string>((r) => ch.once('data', (d: Buffer) => r(d.toString())));
    expect(hello).toContain('<hello');
    await t.close();
    expect(t.closed).toBe(true);
  });

  it('connects with an encrypted private key and a known_hosts file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kh-'));
    writeFileSync(join(dir, 'known_hosts'), `${server.knownHostsLine}\n`);
    const t = await connectSsh({ host: server.host, port: server.port, username: 'keyuser', privateKey: userKey.private, passphrase: 'key-passphrase-xyz', knownHostsFile: join(dir, 'known_hosts') });
    await t.close();
  });

  it.skipIf(!hasAgent)('authenticates through ssh-agent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-'));
    const sock = join(dir, 'agent.sock');
    const agentKey = generateEd25519();
    writeFileSync(join(dir, 'id'), agentKey.private, { mode: 0o600 });
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      await new Promise<void>((resolve, reject) => {
        const poll = (n: number): void => {
          try {
            execFileSync('ssh-add', [join(dir, 'id')], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'pipe' });
            resolve();
          } catch (e) {
            if (n === 0) reject(e as Error);
            else setTimeout(() => poll(n - 1), 50); // the agent creates its socket asynchronously
          }
        };
        poll(100);
      });
      const agentServer = await startTestServer({ users: [{ username: 'agentuser', publicKey: agentKey.public }] });
      try {
        const t = await connectSsh({ host: agentServer.host, port: agentServer.port, username: 'agentuser', agent: sock, hostKeyFingerprints: [agentServer.hostKeyFingerprint] });
        await t.close();
      } finally {
        await agentServer.close();
      }
    } finally {
      agent.kill();
    }
  });

  it('refuses a wrong passphrase locally without echoing it', async () => {
    const err = await connectSsh({ ...base(), username: 'keyuser', privateKey: userKey.private, passphrase: 'wrong-passphrase-abc' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(TypeError);
    expect(String(err)).toMatch(/passphrase/);
    expect(String(err)).not.toContain('wrong-passphrase-abc');
  });

  it('refuses a host key that does not match the pin, naming host and both fingerprints', async () => {
    const other = generateHostKey();
    const err = await connectSsh({ ...base(), hostKeyFingerprints: [other.fingerprint], ...DEFAULT_USER }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'HostKeyError', reason: 'mismatch', host: `[127.0.0.1]:${server.port}`, seen: server.hostKeyFingerprint, expected: [other.fingerprint] });
  });

  it('refuses an unknown host key unless the insecure option is set, and warns when it is', async () => {
    const noTrust = { host: server.host, port: server.port, ...DEFAULT_USER };
    await expect(connectSsh(noTrust)).rejects.toMatchObject({ name: 'HostKeyError', reason: 'unknown' });
    const warnings: string[] = [];
    const t = await connectSsh({ ...noTrust, insecureAcceptUnknownHostKey: true, logger: { warn: (m) => warnings.push(m) } });
    await t.close();
    expect(warnings.join('\n')).toMatch(/INSECURE.*insecureAcceptUnknownHostKey/);
  });

  it('reports a wrong password as AuthenticationError without the password', async () => {
    const err = await connectSsh({ ...base(), username: 'lab', password: 'not-the-password-42' }).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'AuthenticationError', username: 'lab' });
    expect(String(err)).not.toContain('not-the-password-42');
  });

  it('times out an SSH handshake that never starts', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    try {
      await expect(connectSsh({ host: '127.0.0.1', port, ...DEFAULT_USER, insecureAcceptUnknownHostKey: true, handshakeTimeoutMs: 200, logger: { warn: () => undefined } })).rejects.toMatchObject({
        name: 'NetconfTimeoutError',
        operation: 'SSH handshake',
        timeoutMs: 200,
      });
    } finally {
      silent.close();
    }
  });

  it('reports a refused port as ConnectionError', async () => {
    await expect(connectSsh({ host: '127.0.0.1', port: 1, ...DEFAULT_USER, insecureAcceptUnknownHostKey: true, logger: { warn: () => undefined } })).rejects.toMatchObject({ name: 'ConnectionError' });
  });

  it('redacts secrets from options for logging', () => {
    const r = redactOptions({ host: 'r1', username: 'u', password: 'p4ss', privateKey: 'KEY', passphrase: 'pp' });
    expect(JSON.stringify(r)).not.toMatch(/p4ss|KEY|"pp"/);
  });
});
