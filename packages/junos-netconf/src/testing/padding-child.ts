// Run in a fresh node by ssh/padding.test.ts, so that ssh2's cipher classes start as ssh2 ships
// them: records the packets ssh2's own allocPacket builds, pools the padding, then checks the
// replacement's packets, the padding's bytes and real SSH connections on each cipher. Prints one
// JSON line.
import { createRequire } from 'node:module';
import { once } from 'node:events';
import ssh2 from 'ssh2';
import { poolSshPadding } from '../ssh/padding.js';
import { generateEd25519 } from './ssh-keys.js';

type Cipher = { allocPacket(n: number): Buffer };
const crypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as {
  CIPHER_INFO: Record<string, { keyLen: number; ivLen: number; authLen: number }>;
  MAC_INFO: Record<string, { len: number }>;
  createCipher(config: object): Cipher;
};

const CIPHERS = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-ctr', 'aes128-cbc', '3des-cbc'];
const MACS = ['hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha1', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha1-etm@openssh.com'];

function cipher(name: string, forceNative: boolean, mac?: string): Cipher {
  const info = crypto.CIPHER_INFO[name]!;
  const macInfo = info.authLen ? undefined : crypto.MAC_INFO[mac!];
  return crypto.createCipher({ outbound: { onWrite() {}, cipherInfo: info, cipherKey: Buffer.alloc(info.keyLen), cipherIV: Buffer.alloc(info.ivLen), seqno: 0, forceNative, macInfo, macKey: macInfo && Buffer.alloc(macInfo.len) } });
}
type Kind = [cipher: string, native: boolean, mac: string | undefined];
const kinds: Kind[] = CIPHERS.flatMap((c) => [false, true].flatMap((native): Kind[] => (crypto.CIPHER_INFO[c]!.authLen ? [[c, native, undefined]] : MACS.map((m): Kind => [c, native, m]))));
/** Size and first five bytes (packet length, padding length) of the packet for payload lengths 0–599. */
const shapes = () => kinds.map(([c, native, m]) => Array.from({ length: 600 }, (_, n) => { const p = cipher(c, native, m).allocPacket(n); return `${p.length}:${p.subarray(0, 5).toString('hex')}`; }).join(' '));

const before = shapes();
const installed = poolSshPadding();
const after = shapes();
const sameShapes = before.every((s, i) => s === after[i]);

// The padding of 3,000 packets (the pool refilled several times): where each padding sits is known from the packet's header.
const probe = cipher('aes128-gcm@openssh.com', false);
const paddings = Array.from({ length: 3000 }, (_, i) => { const p = probe.allocPacket(i % 50); return p.subarray(5 + (i % 50), 5 + (i % 50) + p[4]!); });
const bytes = Buffer.concat(paddings);
const counts = new Array<number>(256).fill(0);
for (const b of bytes) counts[b]!++;
const distinctPaddings = new Set(paddings.map((p) => p.toString('hex'))).size;

// A real connection per cipher (and MAC), both ends in this process, both pooled: the receiving side parses what the sending side built.
async function roundTrip(c: string, mac: string | undefined): Promise<boolean> {
  const key = generateEd25519();
  const algorithms = { cipher: [c], hmac: mac ? [mac] : ['hmac-sha2-256'] } as ssh2.Algorithms;
  const server = new ssh2.Server({ hostKeys: [key.private], algorithms }, (client) => {
    client.on('authentication', (ctx) => ctx.accept()).on('session', (accept) => {
      accept().once('exec', (acceptExec) => {
        const ch = acceptExec();
        ch.on('data', (d: Buffer) => ch.write(d));
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const client = new ssh2.Client();
  client.connect({ host: '127.0.0.1', port, username: 'u', password: 'p', algorithms, hostVerifier: () => true });
  await once(client, 'ready');
  const ch = await new Promise<ssh2.ClientChannel>((resolve, reject) => client.exec('echo', (err, stream) => (err ? reject(err) : resolve(stream))));
  const sent = Buffer.concat([...Array.from({ length: 300 }, (_, n) => Buffer.alloc(n, n)), Buffer.alloc(40_000, 7)]);
  const echoed: Buffer[] = [];
  let got = 0;
  const done = new Promise<void>((resolve) => ch.on('data', (d: Buffer) => { echoed.push(d); got += d.length; if (got >= sent.length) resolve(); }));
  for (let n = 0, at = 0; at < sent.length; n++) { const len = n < 300 ? n : sent.length - at; ch.write(sent.subarray(at, at + len)); at += len; }
  await done;
  client.end();
  server.close();
  return Buffer.concat(echoed).equals(sent);
}
const connections: Record<string, boolean> = {};
for (const c of CIPHERS) for (const m of crypto.CIPHER_INFO[c]!.authLen ? [undefined] : ['hmac-sha2-256', 'hmac-sha2-256-etm@openssh.com']) connections[m ? `${c} ${m}` : c] = await roundTrip(c, m);

console.log(JSON.stringify({ installed, kinds: kinds.length, sameShapes, paddingBytes: bytes.length, distinctPaddings, minCount: Math.min(...counts), maxCount: Math.max(...counts), connections }));
