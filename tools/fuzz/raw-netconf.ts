// A bare NETCONF session over a real ssh2 connection and junos-netconf's framing codec, for
// sending exact (malformed) bytes to sim-junos. The hello exchange is done properly; after that
// the caller writes what it likes and reads one message at a time.
import { BASE_1_0, BASE_1_1, buildHello, createFrameDecoder, encodeMessage, negotiateFraming, parseHello, type Framing } from '@qkd-macsec/junos-netconf/framing';
import { createHash } from 'node:crypto';
import ssh2, { type ClientChannel } from 'ssh2';

export interface RawNetconfTarget {
  host: string;
  port: number;
  username: string;
  password: string;
  hostKeyFingerprint: string;
}

type NextMessage = { kind: 'message'; xml: string } | { kind: 'closed' } | { kind: 'timeout' };

export interface RawNetconf {
  framing: Framing;
  /** Frames `xml` in the session's framing. */
  frame(xml: string): Buffer;
  write(bytes: Buffer): void;
  next(timeoutMs: number): Promise<NextMessage>;
  readonly closed: boolean;
  close(): void;
}

export function openRawNetconf(t: RawNetconfTarget, timeoutMs = 10_000): Promise<RawNetconf> {
  const client = new ssh2.Client();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end();
      reject(new Error(`NETCONF session not up within ${timeoutMs} ms`));
    }, timeoutMs);
    client.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    client.on('ready', () => {
      client.subsys('netconf', (err, stream: ClientChannel) => {
        if (err) return reject(err);
        const { session, decoder } = rawSession(client, stream);
        void session.next(timeoutMs).then((m) => {
          clearTimeout(timer);
          if (m.kind !== 'message') return reject(new Error(`no hello from the server (${m.kind})`));
          const ours = [BASE_1_0, BASE_1_1];
          stream.write(encodeMessage(buildHello(ours), 'eom'));
          session.framing = negotiateFraming(ours, parseHello(m.xml).capabilities);
          decoder.setFraming(session.framing);
          resolve(session);
        }, reject);
      });
    });
    client.connect({
      host: t.host,
      port: t.port,
      username: t.username,
      password: t.password,
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === t.hostKeyFingerprint,
    });
  });
}

/** The session over an open netconf channel: messages queue until `next` takes them; framing starts as end-of-message. */
function rawSession(client: ssh2.Client, stream: ClientChannel): { session: RawNetconf; decoder: ReturnType<typeof createFrameDecoder> } {
  const decoder = createFrameDecoder();
  const messages: string[] = [];
  let waiter: ((m: NextMessage) => void) | undefined;
  let closed = false;
  const deliver = (m: NextMessage) => {
    const w = waiter;
    waiter = undefined;
    w?.(m);
  };
  stream.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    try {
      for (let m = decoder.next(); m !== undefined; m = decoder.next()) {
        if (waiter) deliver({ kind: 'message', xml: m });
        else messages.push(m);
      }
    } catch {
      client.end(); // the server broke framing: nothing after this can be read
    }
  });
  const end = () => {
    closed = true;
    deliver({ kind: 'closed' });
  };
  stream.on('close', end);
  client.on('close', end);
  const session: RawNetconf = {
    framing: 'eom',
    frame: (xml) => Buffer.from(encodeMessage(xml, session.framing)),
    write: (bytes) => void (closed || stream.write(bytes)),
    next: (ms) =>
      new Promise<NextMessage>((done) => {
        const queued = messages.shift();
        if (queued !== undefined) return done({ kind: 'message', xml: queued });
        if (closed) return done({ kind: 'closed' });
        const t = setTimeout(() => deliver({ kind: 'timeout' }), ms);
        waiter = (m) => {
          clearTimeout(t);
          done(m);
        };
      }),
    get closed() {
      return closed;
    },
    close: () => client.end(),
  };
  return { session, decoder };
}
