/**
 * A real SSH server (ssh2 Server on 127.0.0.1, ephemeral port, fresh ed25519 host key) that
 * speaks NETCONF with scripted replies and serves SFTP from memory. Tests use it so that the
 * client is exercised over real SSH, real framing and real XML — no socket mocks.
 */
import ssh2 from 'ssh2';
import type { Connection, ServerChannel, SFTPWrapper } from 'ssh2';
import { createFrameDecoder, encodeMessage, type Framing } from '../framing/index.js';
import { BASE_1_0, BASE_1_1, buildHello, negotiateFraming, parseHello, NETCONF_NS } from '../framing/hello.js';
import { parseXml } from '../xml/parse.js';
import { sha256Fingerprint } from '../ssh/fingerprint.js';
import { generateEd25519 } from './ssh-keys.js';

const { Server, utils } = ssh2;

export interface ReceivedRpc {
  /** The whole <rpc> message as received. */
  xml: string;
  messageId: string | undefined;
  /** Name of the operation element inside <rpc>. */
  name: string;
  /** The operation element's inner XML. */
  inner: string;
}

/** What a handler returns: reply body (wrapped in <rpc-reply message-id=…>), a raw message, or a scripted fault. */
export type ScriptedReply = string | { raw: string } | { framedPieces: (messageId: string | undefined) => Buffer[] } | { drop: true } | { noReply: true } | { delayMs: number; reply: ScriptedReply };

export interface TestServerOptions {
  capabilities?: string[];
  /** Raw hello to send instead of a built one (for hostile-hello tests); null sends none. */
  rawHello?: string | null;
  users?: Array<{ username: string; password?: string; publicKey?: string }>;
  handler?: (rpc: ReceivedRpc) => ScriptedReply | Promise<ScriptedReply>;
  /** false: answer each RPC as soon as its handler finishes (out of order), to test message-id matching. */
  inOrder?: boolean;
}

export interface TestServer {
  host: string;
  port: number;
  hostKeyFingerprint: string;
  /** known_hosts line for this server. */
  knownHostsLine: string;
  /** Every RPC received, across connections. */
  received: ReceivedRpc[];
  /** Framing negotiated on each NETCONF session, in order. */
  framings: Framing[];
  /** SSH channel data packets received on NETCONF channels, across connections: one per client write. */
  dataPackets(): number;
  /** In-memory SFTP file system. */
  files: Map<string, Buffer>;
  connectionCount(): number;
  /** Drop every open connection (simulates a device reboot / network cut). */
  dropAll(): void;
  close(): Promise<void>;
}

export const DEFAULT_USER = { username: 'lab', password: 'lab-password-123' };

export function generateHostKey(): { privateKey: string; publicKey: string; fingerprint: string } {
  const pair = generateEd25519();
  const blob = Buffer.from(pair.public.split(' ')[1]!, 'base64');
  return { privateKey: pair.private, publicKey: pair.public, fingerprint: sha256Fingerprint(blob) };
}

function describeRpc(xml: string): ReceivedRpc {
  const doc = parseXml(xml);
  const rpc = (doc['rpc'] ?? {}) as Record<string, unknown>;
  const name = Object.keys(rpc).find((k) => !k.startsWith('@_') && k !== '#text') ?? '';
  const m = /<rpc\b[^>]*>([\s\S]*)<\/rpc>\s*$/.exec(xml);
  return { xml, messageId: rpc['@_message-id'] as string | undefined, name, inner: m?.[1]?.trim() ?? '' };
}

// Over 80 lines: with serveNetconf nested, which records into this server's received/framings/
// packet count — a test helper, kept in one piece so a test reads the server it talks to in one place.
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const hostKey = generateHostKey();
  const users: Array<{ username: string; password?: string; publicKey?: string }> = options.users ?? [DEFAULT_USER];
  const capabilities = options.capabilities ?? [BASE_1_0, BASE_1_1, 'urn:ietf:params:netconf:capability:candidate:1.0', 'http://xml.juniper.net/netconf/junos/1.0'];
  const received: ReceivedRpc[] = [];
  const framings: Framing[] = [];
  let packets = 0;
  const files = new Map<string, Buffer>();
  const connections = new Set<Connection>();
  let sessionCounter = 1000;

  const server = new Server({ hostKeys: [hostKey.privateKey] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const user = users.find((u) => u.username === ctx.username);
      if (user && ctx.method === 'password' && user.password !== undefined && ctx.password === user.password) return ctx.accept();
      if (user && ctx.method === 'publickey' && user.publicKey) {
        const allowed = utils.parseKey(user.publicKey);
        if (!(allowed instanceof Error) && !Array.isArray(allowed) && ctx.key.data.equals(allowed.getPublicSSH())) {
          if (!ctx.signature) return ctx.accept();
          if (allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo)) return ctx.accept();
        }
      }
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('subsystem', (accept, reject, info) => {
          if (info.name === 'netconf') serveNetconf(accept(), ++sessionCounter);
          else reject();
        });
        session.on('sftp', (accept) => serveSftp(accept(), files));
      });
    });
  });

  function serveNetconf(channel: ServerChannel, sessionId: number): void {
    const decoder = createFrameDecoder();
    let framing: Framing = 'eom';
    let helloDone = false;
    let queue = Promise.resolve();
    const send = (xml: string): void => {
      if (channel.writable) channel.write(encodeMessage(xml, framing));
    };
    channel.on('error', () => undefined);
    // Write the hello in base:1.0 framing, as every NETCONF server must.
    if (options.rawHello !== null) channel.write(encodeMessage(options.rawHello ?? buildHello(capabilities, sessionId), 'eom'));
    channel.on('data', (chunk: Buffer) => {
      packets++;
      decoder.push(chunk);
      for (;;) {
        let msg: string | undefined;
        try {
          msg = decoder.next();
        } catch {
          channel.close();
          return;
        }
        if (msg === undefined) return;
        if (!helloDone) {
          helloDone = true;
          framing = negotiateFraming(capabilities, parseHello(msg).capabilities);
          framings.push(framing);
          decoder.setFraming(framing);
          continue;
        }
        const rpc = describeRpc(msg);
        received.push(rpc);
        // Replies go out in request order, as RFC 6241 requires.
        if (options.inOrder === false) void answer(rpc);
        else queue = queue.then(() => answer(rpc));
      }
    });

    async function answer(rpc: ReceivedRpc): Promise<void> {
      let reply: ScriptedReply;
      if (rpc.name === 'close-session') {
        send(`<rpc-reply xmlns="${NETCONF_NS}" message-id="${rpc.messageId}"><ok/></rpc-reply>`);
        channel.end();
        return;
      }
      reply = options.handler ? await options.handler(rpc) : '<ok/>';
      while (typeof reply === 'object' && 'delayMs' in reply) {
        await new Promise((r) => setTimeout(r, (reply as { delayMs: number }).delayMs));
        reply = reply.reply;
      }
      if (typeof reply === 'string') send(`<rpc-reply xmlns="${NETCONF_NS}" message-id="${rpc.messageId}">${reply}</rpc-reply>`);
      else if ('raw' in reply) {
        if (channel.writable) channel.write(framing === 'eom' ? Buffer.from(`${reply.raw}]]>]]>`) : Buffer.from(reply.raw));
      } else if ('framedPieces' in reply) {
        // Already framed by the test, written piece by piece so the client sees every split.
        for (const piece of reply.framedPieces(rpc.messageId)) {
          if (channel.writable) channel.write(piece);
          await new Promise((r) => setImmediate(r));
        }
      } else if ('drop' in reply) {
        for (const c of connections) c.end();
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const publicPart = hostKey.publicKey.split(' ').slice(0, 2).join(' ');
  return {
    host: '127.0.0.1',
    port,
    hostKeyFingerprint: hostKey.fingerprint,
    knownHostsLine: `[127.0.0.1]:${port} ${publicPart}`,
    received,
    framings,
    dataPackets: () => packets,
    files,
    connectionCount: () => connections.size,
    dropAll: () => {
      for (const c of connections) c.end();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}

/** SFTP from an in-memory file system (`files`, shared by every connection of the server). */
function serveSftp(sftp: SFTPWrapper, files: Map<string, Buffer>): void {
  const { STATUS_CODE, OPEN_MODE } = utils.sftp;
  const handles = new Map<number, { path: string; write: boolean }>();
  let nextHandle = 1;
  const handleOf = (b: Buffer): number => b.readUInt32BE(0);
  sftp.on('OPEN', (reqId, filename, flags) => {
    const write = (flags & OPEN_MODE.WRITE) !== 0;
    if (!write && !files.has(filename)) return sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE);
    if (write && (flags & OPEN_MODE.TRUNC || !files.has(filename))) files.set(filename, Buffer.alloc(0));
    const h = nextHandle++;
    handles.set(h, { path: filename, write });
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(h);
    sftp.handle(reqId, buf);
  });
  sftp.on('WRITE', (reqId, handle, offset, data) => {
    const h = handles.get(handleOf(handle));
    if (!h?.write) return sftp.status(reqId, STATUS_CODE.FAILURE);
    const cur = files.get(h.path) ?? Buffer.alloc(0);
    const next = Buffer.alloc(Math.max(cur.length, offset + data.length));
    cur.copy(next);
    data.copy(next, offset);
    files.set(h.path, next);
    sftp.status(reqId, STATUS_CODE.OK);
  });
  sftp.on('READ', (reqId, handle, offset, length) => {
    const h = handles.get(handleOf(handle));
    const content = h ? files.get(h.path) : undefined;
    if (!content) return sftp.status(reqId, STATUS_CODE.FAILURE);
    if (offset >= content.length) return sftp.status(reqId, STATUS_CODE.EOF);
    sftp.data(reqId, content.subarray(offset, Math.min(content.length, offset + length)));
  });
  const attrsOf = (path: string | undefined) => ({ mode: 0o100644, uid: 0, gid: 0, size: (path && files.get(path)?.length) || 0, atime: 0, mtime: 0 });
  sftp.on('FSTAT', (reqId, handle) => sftp.attrs(reqId, attrsOf(handles.get(handleOf(handle))?.path)));
  sftp.on('STAT', (reqId, path) => (files.has(path) ? sftp.attrs(reqId, attrsOf(path)) : sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE)));
  sftp.on('LSTAT', (reqId, path) => (files.has(path) ? sftp.attrs(reqId, attrsOf(path)) : sftp.status(reqId, STATUS_CODE.NO_SUCH_FILE)));
  sftp.on('FSETSTAT', (reqId) => sftp.status(reqId, STATUS_CODE.OK));
  sftp.on('SETSTAT', (reqId) => sftp.status(reqId, STATUS_CODE.OK));
  sftp.on('CLOSE', (reqId, handle) => {
    handles.delete(handleOf(handle));
    sftp.status(reqId, STATUS_CODE.OK);
  });
}
