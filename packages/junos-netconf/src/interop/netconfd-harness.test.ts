// Proves the harness with nothing of ours in between: a bare ssh2 client reaches netconfd
// through sshd's netconf subsystem, checks the pinned host key and exchanges base:1.0 messages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openNetconfChannel } from './testing/ssh-channel.js';
import { dumpDaemonLogsOnFailure, generateEd25519Key, NetconfdHarnessError, skipInteropSuite, startNetconfd, type NetconfdServer } from './testing/netconfd-harness.js';

const EOM = ']]>]]>';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RawSession {
  hostKeysSeen: string[];
  send(xml: string): void;
  /** Writes these bytes as they are, in one channel write (one SSH packet). */
  write(bytes: string): void;
  /** The next `]]>]]>`-framed message. */
  next(): Promise<string>;
  close(): void;
}

/** Reads `]]>]]>`-framed messages by hand, so this file depends on none of the package's code. */
async function openRaw(server: NetconfdServer, privateKey?: string): Promise<RawSession> {
  const { channel, hostKeysSeen, close } = await openNetconfChannel(server, privateKey ? { privateKey } : {});
  let buffered = '';
  const waiting: Array<(message: string) => void> = [];
  const drain = () => {
    for (let end = buffered.indexOf(EOM); end >= 0 && waiting.length; end = buffered.indexOf(EOM)) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + EOM.length);
      waiting.shift()?.(message);
    }
  };
  channel.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    drain();
  });
  return {
    hostKeysSeen,
    send: (xml) => channel.write(xml + EOM),
    write: (bytes) => channel.write(bytes),
    next: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        drain();
      }),
    close,
  };
}

const CLIENT_HELLO =
  '<?xml version="1.0" encoding="UTF-8"?><hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">' +
  '<capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>';

/** Takes the server's hello, sends ours and waits until netconfd has taken it (see sessionActive). */
async function exchangeHellos(server: NetconfdServer, session: RawSession): Promise<void> {
  const hello = await session.next();
  session.send(CLIENT_HELLO);
  const id = /<session-id>(\d+)<\/session-id>/.exec(hello)?.[1];
  await server.sessionActive(id === undefined ? undefined : Number(id));
}

const getConfigRpc = (id: number) =>
  `<rpc message-id="${id}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><get-config><source><running/></source></get-config></rpc>`;

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('skipInteropSuite', () => {
  const nowhere = [join(tmpdir(), 'no-such-dir-for-netconfd')];

  it('fails under CI=true when the daemons are missing, so CI cannot pass by skipping', () => {
    const check = () => skipInteropSuite({ env: { CI: 'true' }, searchDirs: nowhere, warn: () => {} });
    expect(check).toThrow(NetconfdHarnessError);
    expect(check).toThrow(/netconfd, netconf-subsystem, sshd.*CI must install them/);
  });

  it('skips loudly on a developer machine without the daemons', () => {
    const warnings: string[] = [];
    expect(skipInteropSuite({ env: {}, searchDirs: nowhere, warn: (m) => warnings.push(m) })).toBe(true);
    expect(warnings.join('')).toMatch(/SKIPPING the netconfd interop tests.*apt-get install netconfd openssh-server/);
  });
});

describe.skipIf(skipInteropSuite())('netconfd harness (raw ssh2, base:1.0 framing)', () => {
  let server: NetconfdServer;
  beforeAll(async () => {
    server = await startNetconfd();
  });
  afterEach(({ task }) => dumpDaemonLogsOnFailure(server, task));
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the netconf subsystem with the pinned host key and a hello advertising base:1.1 and :candidate', async () => {
    const session = await openRaw(server);
    try {
      expect(session.hostKeysSeen).toEqual([server.hostKeyFingerprint]);
      const hello = await session.next();
      expect(hello).toMatch(/<hello[\s>]/);
      expect(hello).toContain('<capability>urn:ietf:params:netconf:base:1.0</capability>');
      expect(hello).toContain('<capability>urn:ietf:params:netconf:base:1.1</capability>');
      expect(hello).toContain('<capability>urn:ietf:params:netconf:capability:candidate:1.0</capability>');
      expect(hello).toContain(`${server.fixtureNamespace}?module=qkd-interop`);
      expect(hello).toMatch(/<session-id>\d+<\/session-id>/);
    } finally {
      session.close();
    }
  });

  it('answers a get-config after a base:1.0 hello', async () => {
    const session = await openRaw(server);
    try {
      await exchangeHellos(server, session);
      session.send(getConfigRpc(101));
      const reply = await session.next();
      expect(reply).toMatch(/<rpc-reply[^>]*message-id="101"/);
      expect(reply).toMatch(/<data[\s/>]/);
      expect(reply).not.toContain('<rpc-error>');
    } finally {
      session.close();
    }
  });

  // Pins the server behaviour behind sessionActive(): this is how interop tests hung for their
  // 30 s on a loaded CI machine, where netconf-subsystem read the hello and the first RPC at once.
  it("holds an RPC that arrives in the same read as the client's hello until more input comes", async () => {
    const session = await openRaw(server);
    try {
      await session.next();
      session.write(CLIENT_HELLO + EOM + getConfigRpc(301) + EOM);
      const first = session.next();
      const within1s = await Promise.race([first.then(() => 'replied'), sleep(1_000).then(() => 'nothing')]);
      expect(within1s).toBe('nothing');
      // The next message releases both, in order.
      session.send(getConfigRpc(302));
      expect(await first).toMatch(/<rpc-reply[^>]*message-id="301"/);
      expect(await session.next()).toMatch(/<rpc-reply[^>]*message-id="302"/);
    } finally {
      session.close();
    }
  });

  it('refuses a server whose host key is not the pinned one', async () => {
    const impostor = { ...server, hostKeyFingerprint: 'SHA256:' + 'A'.repeat(43) };
    await expect(openRaw(impostor)).rejects.toThrow(/host key|verif/i);
  });

  it('keeps netconfd\'s saved state inside the temp dir', async () => {
    const session = await openRaw(server);
    try {
      await exchangeHellos(server, session);
      const rpc = (id: number, body: string) =>
        session.send(`<rpc message-id="${id}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">${body}</rpc>`);
      rpc(
        201,
        '<edit-config><target><candidate/></target><config>' +
          `<macsec xmlns="${server.fixtureNamespace}"><connectivity-association><name>CA-saved</name></connectivity-association></macsec>` +
          '</config></edit-config>',
      );
      expect(await session.next()).toContain('<ok/>');
      rpc(202, '<commit/>');
      expect(await session.next()).toContain('<ok/>');
    } finally {
      session.close();
    }
    // A commit saves running as the startup config, and the transaction id beside it.
    expect(readFileSync(join(server.workDir, 'startup-cfg.xml'), 'utf8')).toContain('<name>CA-saved</name>');
    expect(existsSync(join(server.workDir, 'data', 'startup-cfg-txid.txt'))).toBe(true);
  });

  it('rejects a client key it did not issue', async () => {
    const stranger = generateEd25519Key().privateKey;
    await expect(openRaw(server, stranger)).rejects.toThrow(/authentication/i);
  });

  it('stop() kills both daemons and removes the temp dir', async () => {
    const other = await startNetconfd();
    expect(existsSync(other.workDir)).toBe(true);
    expect(await portAccepts(other.port)).toBe(true);
    await other.stop();
    expect(existsSync(other.workDir)).toBe(false);
    // netconfd always creates ~/.yuma; nothing may be left in it.
    const yumaDir = join(userInfo().homedir, '.yuma');
    if (existsSync(yumaDir)) expect(readdirSync(yumaDir)).toEqual([]);
    expect(await portAccepts(other.port)).toBe(false);
    await other.stop(); // idempotent
  });

  it('fails with netconfd’s own words when it cannot start', async () => {
    const broken = startNetconfd({ yangModules: { 'qkd-broken': 'module qkd-broken { this is not yang' } });
    await expect(broken).rejects.toBeInstanceOf(NetconfdHarnessError);
    await expect(broken).rejects.toThrow(/netconfd exited .*\n--- netconfd output ---\n[\s\S]*qkd-broken/);
  });
});

describe('generateEd25519Key', () => {
  it('only returns whole keys (ssh2 sometimes drops a leading zero byte of the public key)', () => {
    // ~1 in 250 raw ssh2 keys is broken, so 600 draws would almost surely meet one.
    for (let i = 0; i < 600; i++) {
      const { publicKey } = generateEd25519Key();
      expect(Buffer.from(publicKey.split(' ')[1] ?? '', 'base64')).toHaveLength(51);
    }
  });
});
