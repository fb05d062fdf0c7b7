// Every SSH packet ends in 4 or more bytes of random padding (RFC 4253 §6), and ssh2 draws them
// with one crypto.randomFillSync call per packet: about 4 µs each on the benchmark machine (node
// builds a crypto job per call), 5–6 % of the rotator's JavaScript thread at 4,000 devices and
// 12–13 % of a sim-junos process (CPU profiles, tools/bench `bench:fleet`). poolSshPadding()
// draws the padding from a pool of CSPRNG bytes instead, refilled 4 KiB at a time — the bytes
// are as random; each is used once — which is what OpenSSH's arc4random_buf and ws' WebSocket
// masks do.
//
// ssh2 binds randomFillSync when it loads, so the one seam is its cipher classes' allocPacket.
// The replacement builds the same packet (length, padding length, padding to the cipher's block,
// room for the tag or MAC) and is installed on a class only once it built exactly what ssh2's own
// did for every payload length tried, on every probe of that class: a class ssh2 changes in a way
// this does not know keeps its own allocPacket.
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';

type Cipher = { allocPacket(payloadLen: number): Buffer; free?(): void } & Record<string, unknown>;
interface Ssh2Crypto {
  CIPHER_INFO: Record<string, { keyLen: number; ivLen: number; authLen: number }>;
  MAC_INFO: Record<string, { len: number }>;
  createCipher(config: object): Cipher;
}

export interface SshPaddingPool {
  /** ssh2's cipher classes whose packets take their padding from the pool. */
  pooled: string[];
  /** Classes left with ssh2's own allocPacket: their packets matched no layout known here. */
  left: string[];
}

const POOL_BYTES = 4096;
let pool: Buffer | undefined;
let used = POOL_BYTES;

function fillPadding(packet: Buffer, at: number, n: number): void {
  if (used + n > POOL_BYTES) {
    pool ??= Buffer.allocUnsafeSlow(POOL_BYTES);
    randomFillSync(pool);
    used = 0;
  }
  pool!.copy(packet, at, used, used + n);
  used += n;
}

/** Block length, bytes of the length field left out of the padding's alignment, and the tag or MAC after the packet. */
type Layout = (cipher: Cipher) => readonly [block: number, aad: number, trailer: number];

function allocPacketWith(layout: Layout) {
  return function allocPacket(this: Cipher, payloadLen: number): Buffer {
    const [block, aad, trailer] = layout(this);
    let pktLen = 4 + 1 + payloadLen;
    let padLen = block - ((pktLen - aad) & (block - 1));
    if (padLen < 4) padLen += block;
    pktLen += padLen;
    const packet = Buffer.allocUnsafe(pktLen + trailer);
    packet.writeUInt32BE(pktLen - 4, 0);
    packet[4] = padLen;
    fillPadding(packet, 5 + payloadLen, padLen);
    return packet;
  };
}

// The layouts ssh2 1.x uses: its generic ciphers keep theirs in fields (the one on node:crypto
// appends the MAC to a buffer of its own), the AEAD ones in constants.
const LAYOUTS: Layout[] = [
  (c) => [c._encBlockLen as number, c._aadLen as number, c._macLen as number],
  (c) => [c._encBlockLen as number, c._aadLen as number, 0],
  ...[8, 16].flatMap((block) => [0, 4].flatMap((aad) => [0, 16].map((trailer): Layout => () => [block, aad, trailer]))),
];

const PAYLOADS = Array.from({ length: 34 }, (_, i) => i).concat([255, 1000]);

/** What a packet's first five bytes (length, padding length) and size are, for each payload length tried. */
function shapes(alloc: (n: number) => Buffer): string | undefined {
  try {
    return PAYLOADS.map((n) => {
      const p = alloc(n);
      return `${p.length}:${p.subarray(0, 5).toString('hex')}`;
    }).join(' ');
  } catch {
    return undefined; // a layout whose fields this class does not have
  }
}

// One of each kind: the AEAD ciphers, and generic ones with 16- and 8-byte blocks.
const PROBE_CIPHERS = ['chacha20-poly1305@openssh.com', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes256-cbc', '3des-cbc'];

/** A cipher of each kind ssh2 can build here (with and without its native binding, with and without encrypt-then-MAC). */
function probes(ssh2: Ssh2Crypto): Cipher[] {
  const out: Cipher[] = [];
  const macs = [ssh2.MAC_INFO['hmac-sha2-256'], ssh2.MAC_INFO['hmac-sha2-256-etm@openssh.com']];
  for (const info of PROBE_CIPHERS.map((name) => ssh2.CIPHER_INFO[name]).filter((i) => i !== undefined)) {
    for (const forceNative of [false, true]) {
      for (const macInfo of info.authLen ? [undefined] : macs) {
        try {
          out.push(
            ssh2.createCipher({
              outbound: { onWrite() {}, cipherInfo: info, cipherKey: Buffer.alloc(info.keyLen), cipherIV: Buffer.alloc(info.ivLen), seqno: 0, forceNative, macInfo, macKey: macInfo && Buffer.alloc(macInfo.len) },
            }),
          );
        } catch {
          // a cipher this OpenSSL does not offer (blowfish, idea, cast): ssh2 cannot use it either
        }
      }
    }
  }
  return out;
}

let result: SshPaddingPool | undefined;
// The probes are kept, never collected: on Node 24.19 and later, collecting an object of ssh2's
// native binding can abort the process (node::ObjectWrap's destructor runs from a GC callback with
// no context entered: nodejs/node#65446, mscdex/ssh2#1511). Their native state is freed.
const keptProbes: Cipher[] = [];

/**
 * Makes ssh2 take every packet's random padding from a pool of CSPRNG bytes instead of one
 * randomFillSync call per packet. Process-wide (it changes ssh2's cipher classes, for every SSH
 * connection of the process) and idempotent; connectSsh calls it. Returns what it changed.
 */
export function poolSshPadding(): SshPaddingPool {
  return (result ??= install());
}

function install(): SshPaddingPool {
  const ssh2 = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as Ssh2Crypto;
  const byClass = new Map<object, Cipher[]>();
  for (const c of probes(ssh2)) {
    const proto = Object.getPrototypeOf(c) as object;
    byClass.set(proto, [...(byClass.get(proto) ?? []), c]);
  }
  const pooled: string[] = [];
  const left: string[] = [];
  for (const [proto, ciphers] of byClass) {
    const name = (proto.constructor as { name: string }).name;
    const theirs = (proto as Cipher).allocPacket;
    const expected = ciphers.map((c) => shapes((n) => theirs.call(c, n)));
    const fit = LAYOUTS.find((layout) => ciphers.every((c, i) => expected[i] !== undefined && shapes((n) => allocPacketWith(layout).call(c, n)) === expected[i]));
    if (fit) {
      (proto as Cipher).allocPacket = allocPacketWith(fit);
      pooled.push(name);
    } else left.push(name);
    for (const c of ciphers) c.free?.();
    keptProbes.push(...ciphers);
  }
  return { pooled, left };
}
