// Test helper: a bare NETCONF client over a real ssh2 connection and the shared framing codec,
// for exercising the simulator byte by byte (the real client lives in @qkd-macsec/junos-netconf).
import { BASE_1_0, BASE_1_1, buildHello, createFrameDecoder, encodeMessage, negotiateFraming, parseHello, type Framing, type Hello } from '@qkd-macsec/junos-netconf/framing';
import { createHash } from 'node:crypto';
import ssh2, { type ClientChannel } from 'ssh2';

export interface RawNetconfOptions {
  host: string;
  port: number;
  username: string;
  password?: string;
  privateKey?: string;
  /** `SHA256:…`; when given, any other host key is refused. */
  hostKeyFingerprint?: string;
  /** Capabilities of our hello; default base:1.0 and base:1.1. */
  capabilities?: string[];
  /** Skip sending our hello (to test what the server does without it). */
  noHello?: boolean;
}

export interface RawNetconf {
  hello: Hello;
  framing: Framing;
  /** Sends raw bytes as they are. */
  write(data: string | Buffer): void;
  /** Frames and sends one message. */
  send(xml: string): void;
  /** The next message from the server (rejects when the channel closes first). */
  next(): Promise<string>;
  rpc(inner: string, messageId?: string): Promise<string>;
  /** SSH channel data packets received so far (the server's writes, hello included). */
  dataPackets(): number;
  closed: Promise<void>;
  close(): void;
}

export function rawNetconf(opts: RawNetconfOptions): Promise<RawNetconf> {
  const client = new ssh2.Client();
  return new Promise((resolve, reject) => {
    client.on('error', reject);
    client.on('ready', () => {
      client.subsys('netconf', (err, stream: ClientChannel) => {
        if (err) return reject(err);
        const decoder = createFrameDecoder();
        const messages: string[] = [];
        const waiters: Array<{ ok: (m: string) => void; fail: (e: Error) => void }> = [];
        let ended = false;
        let resolveClosed!: () => void;
        const closed = new Promise<void>((r) => (resolveClosed = r));
        const end = () => {
          ended = true;
          resolveClosed();
          for (const w of waiters.splice(0)) w.fail(new Error('channel closed'));
        };
        let packets = 0;
        stream.on('data', (chunk: Buffer) => {
          packets++;
          decoder.push(chunk);
          for (let m = decoder.next(); m !== undefined; m = decoder.next()) {
            const w = waiters.shift();
            if (w) w.ok(m);
            else messages.push(m);
          }
        });
        stream.on('close', end);
        client.on('close', end);
        const next = () =>
          new Promise<string>((ok, fail) => {
            const m = messages.shift();
            if (m !== undefined) ok(m);
            else if (ended) fail(new Error('channel closed'));
            else waiters.push({ ok, fail });
          });
        let seq = 0;
        const api: RawNetconf = {
          hello: { capabilities: [] },
          framing: 'eom',
          write: (d) => stream.write(d),
          send: (xml) => stream.write(encodeMessage(xml, api.framing)),
          next,
          rpc(inner, messageId = String(++seq)) {
            api.send(`<rpc message-id="${messageId}" xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">${inner}</rpc>`);
            return next();
          },
          dataPackets: () => packets,
          closed,
          close: () => client.end(),
        };
        next()
          .then((helloXml) => {
            api.hello = parseHello(helloXml);
            const ours = opts.capabilities ?? [BASE_1_0, BASE_1_1];
            if (!opts.noHello) {
              stream.write(encodeMessage(buildHello(ours), 'eom'));
              api.framing = negotiateFraming(ours, api.hello.capabilities);
              decoder.setFraming(api.framing);
            }
            resolve(api);
          })
          .catch(reject);
      });
    });
    client.connect({
      host: opts.host,
      port: opts.port,
      username: opts.username,
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.privateKey !== undefined ? { privateKey: opts.privateKey } : {}),
      readyTimeout: 10_000,
      hostVerifier: (key: Buffer) =>
        opts.hostKeyFingerprint === undefined || `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === opts.hostKeyFingerprint,
    });
  });
}
