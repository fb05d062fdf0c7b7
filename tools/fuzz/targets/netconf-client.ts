// junos-netconf's client against a hostile NETCONF server: a real ssh2 server on loopback answers
// each RPC with a mutated Junos reply (the right message-id, a wrong one, none), sometimes with
// broken framing, two replies, no reply, or the channel closed. Every rpc() must resolve or fail
// with one of the package's own errors, within its timeout.
import {
  AuthenticationError, ConnectionClosedError, ConnectionError, FramingError, HelloError, HostKeyError, NetconfAbortError, NetconfTimeoutError,
  PoolClosedError, RpcError, RpcFailedError, XmlError, connectNetconf, sha256Fingerprint, type NetconfClient,
} from '@qkd-macsec/junos-netconf';
import { BASE_1_0, BASE_1_1, buildHello, createFrameDecoder, encodeMessage, negotiateFraming, parseHello, type Framing } from '@qkd-macsec/junos-netconf/framing';
import ssh2 from 'ssh2';
import { mutate, mutateBytes } from '../mutate.js';
import { createRng, type Rng } from '../rng.js';
import { netconfSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';

const LANES = 4;
/** The client's per-RPC timeout: a reply that never comes must end in a NetconfTimeoutError. */
const RPC_TIMEOUT_MS = 500;
const OWN_ERRORS = [AuthenticationError, ConnectionClosedError, ConnectionError, FramingError, HelloError, HostKeyError, NetconfAbortError, NetconfTimeoutError, PoolClosedError, RpcError, RpcFailedError, XmlError];

interface Input {
  /** The reply's XML; `{id}` stands for the message-id the client sent. */
  reply: string;
  delivery: 'reply' | 'wrong-id' | 'no-id' | 'twice' | 'none' | 'close' | 'broken-framing';
  /** Seed of the byte edits for broken-framing. */
  framingSeed: number;
  /** An unmutated Junos reply, delivered properly: rpc() must succeed (or fail with the reply's own rpc-error). */
  valid: boolean;
}

function generate(rng: Rng, corpus: string[]): Input {
  const sample = rng.pick(corpus.slice(1)).replace(/message-id="\d+"/, 'message-id="{id}"');
  const mutated = rng.chance(0.9);
  const reply = mutated ? mutate(rng, sample, { corpus, maxEdits: 4, maxLength: 256 * 1024 }) : sample;
  const delivery = rng.chance(0.8) ? 'reply' : rng.pick(['wrong-id', 'no-id', 'twice', 'none', 'close', 'broken-framing'] as const);
  return { reply, delivery, framingSeed: rng.int(2 ** 31), valid: !mutated && delivery === 'reply' };
}

/** The server side: one NETCONF session per SSH connection; each lane logs in under its own name. */
async function startHostileServer(inputFor: (user: string) => Input | undefined) {
  let key: { private: string; public: string };
  do key = ssh2.utils.generateKeyPairSync('ed25519');
  while (ssh2.utils.parseKey(key.public) instanceof Error); // ssh2 1.17 Ed25519 leading-zero bug
  const fingerprint = sha256Fingerprint((ssh2.utils.parseKey(key.public) as ssh2.ParsedKey).getPublicSSH());
  const server = new ssh2.Server({ hostKeys: [key.private] }, (conn) => {
    let user = '';
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => ((user = ctx.username), ctx.accept()));
    conn.on('ready', () =>
      conn.on('session', (accept) =>
        accept().on('subsystem', (acceptSub) => {
          const ch = acceptSub();
          ch.on('error', () => undefined);
          const caps = user.endsWith('chunked') ? [BASE_1_0, BASE_1_1] : [BASE_1_0];
          const dec = createFrameDecoder();
          let framing: Framing = 'eom';
          let hello = false;
          ch.write(encodeMessage(buildHello(caps, 1), 'eom'));
          ch.on('data', (d: Buffer) => {
            dec.push(d);
            try {
              for (let m = dec.next(); m !== undefined; m = dec.next()) {
                if (!hello) {
                  framing = negotiateFraming(caps, parseHello(m).capabilities);
                  dec.setFraming(framing);
                  hello = true;
                } else answer(m);
              }
            } catch {
              ch.close();
            }
          });
          const frame = (xml: string) => {
            try {
              return Buffer.from(encodeMessage(xml, framing));
            } catch {
              return Buffer.from('\n##\n'); // chunked framing cannot carry an empty message
            }
          };
          const answer = (rpc: string) => {
            const input = inputFor(user);
            const id = /message-id="([^"]*)"/.exec(rpc)?.[1] ?? '';
            if (!input || rpc.includes('<close-session')) return void ch.write(frame(`<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${id}"><ok/></rpc-reply>`));
            const xml = (text: string) => input.reply.replaceAll('{id}', text);
            switch (input.delivery) {
              case 'none':
                return;
              case 'close':
                return void ch.close();
              case 'wrong-id':
                return void ch.write(frame(xml(`${id}0`)));
              case 'no-id':
                return void ch.write(frame(input.reply.replace(/ message-id="\{id\}"/, '')));
              case 'twice':
                return void ch.write(Buffer.concat([frame(xml(id)), frame(xml(id))]));
              case 'broken-framing':
                return void ch.write(mutateBytes(createRng(input.framingSeed, 'netconf-client-framing', 0), frame(xml(id)), [']]>]]>', '\n#', '\n##\n', '\n#1\n', '\n#99999\n', '\u0000']));
              default:
                return void ch.write(frame(xml(id)));
            }
          };
        }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, fingerprint, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export const netconfClientTarget: Target = {
  name: 'netconf-client',
  description: 'junos-netconf client rpc() against a hostile NETCONF server over real SSH (mutated replies, ids, framing, silence)',
  weight: 2,
  wire: true,
  async start(): Promise<TargetRun<Input>> {
    const corpus = netconfSamples();
    const current = new Map<string, Input>();
    const server = await startHostileServer((user) => current.get(user));
    const users = Array.from({ length: LANES }, (_, i) => `lane${i}-${i % 2 ? 'chunked' : 'eom'}`);
    const idle = [...users];
    const clients = new Map<string, NetconfClient>();
    const clientFor = async (user: string) => {
      const c = clients.get(user);
      if (c && !c.closed) return c;
      const fresh = await connectNetconf({ host: '127.0.0.1', port: server.port, username: user, password: 'fuzz', hostKeyFingerprints: [server.fingerprint], rpcTimeoutMs: RPC_TIMEOUT_MS, helloTimeoutMs: 5000, keepaliveIntervalMs: 0, logger: { warn() {} } });
      clients.set(user, fresh);
      return fresh;
    };
    return {
      concurrency: LANES,
      generate: (rng) => generate(rng, corpus),
      async execute(input): Promise<Problem[]> {
        const user = idle.pop()!;
        try {
          const client = await clientFor(user);
          current.set(user, input);
          await client.rpc('<get-software-information/>');
          return [];
        } catch (err) {
          if (input.valid && !(err instanceof RpcFailedError))
            return [{ kind: 'wrong-result', summary: 'a valid reply, delivered properly, failed', detail: `${(err as Error).name}: ${(err as Error).message.slice(0, 200)}` }];
          throw err;
        } finally {
          current.delete(user);
          // After anything but a clean exchange the session may hold a stray reply: start afresh.
          // Not awaited: a graceful close of a broken session waits for its own timeout, which is
          // the client's business, not this input's time.
          if (input.delivery !== 'reply') {
            void clients.get(user)?.close().catch(() => undefined);
            clients.delete(user);
          }
          idle.push(user);
        }
      },
      show: (i) => `${i.delivery}${i.delivery === 'broken-framing' ? ` (seed ${i.framingSeed})` : ''}: ${JSON.stringify(i.reply)}`,
      isOwnError: (err) => OWN_ERRORS.some((E) => err instanceof E),
      async close() {
        await Promise.all([...clients.values()].map((c) => c.close().catch(() => undefined)));
        await server.close();
      },
    };
  },
};
