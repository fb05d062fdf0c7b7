// sim-junos over the wire: NETCONF RPCs (mutated XML, sometimes mutated framing) over real SSH
// sessions to an in-process simulator with two devices (one end-of-message, one chunked framing).
// A well-framed RPC must get a prompt, well-formed <rpc-reply> that is not an internal error and
// leaks no JavaScript internals; the session may only end when the framing was broken; and a
// fresh session must still work every so often.
import { connectNetconf, parseRpcReply, XmlError } from '@qkd-macsec/junos-netconf';
import { defaultTopology, startSimJunos, type SimDeviceInfo } from '@qkd-macsec/sim-junos';
import { mutate, mutateBytes } from '../mutate.js';
import { openRawNetconf, type RawNetconf } from '../raw-netconf.js';
import { createRng, type Rng } from '../rng.js';
import { rpcSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';
import { leakedInternals } from '../xml-oracle.js';

const LANES = 4;
/** Every well-framed RPC must be answered within this (shorter than the harness's hang timeout). */
const ANSWER_MS = 8000;
/** After broken framing the server may wait for bytes that never come: give it this long to answer or close. */
const BROKEN_FRAMING_MS = 500;
const NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
/** RPCs per session before it is closed: a lock or a private candidate does not outlive it for long. */
const RPCS_PER_SESSION = 50;

interface Input {
  /** Which device: r1 speaks end-of-message framing, r2 chunked. */
  device: 'r1' | 'r2';
  xml: string;
  /** Byte-level edits applied after framing (seeded from this number), or none. */
  framingSeed: number | undefined;
}

function generate(rng: Rng, index: number, corpus: string[]): Input {
  const inner = rng.pick(corpus);
  const rpc = `<rpc message-id="f${index}" xmlns="${NS}">${inner}</rpc>`;
  const xml = rng.chance(0.08) ? rpc : mutate(rng, rpc, { corpus, maxEdits: 4, maxLength: 256 * 1024 });
  return { device: rng.chance(0.5) ? 'r1' : 'r2', xml, framingSeed: rng.chance(0.05) ? rng.int(2 ** 31) : undefined };
}

function judge(reply: string): Problem[] {
  const problems: Problem[] = [];
  try {
    parseRpcReply(reply);
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    problems.push({ kind: 'wrong-result', summary: 'reply is not a well-formed <rpc-reply>', detail: err.message.slice(0, 200) });
  }
  const internal = /internal error in [\w-]+/.exec(reply);
  if (internal) problems.push({ kind: 'wrong-result', summary: `sim-junos answered "${internal[0]}"` });
  const leak = leakedInternals(reply);
  if (leak) problems.push({ kind: 'wrong-result', summary: 'reply carries JavaScript internals', detail: leak });
  return problems;
}

export const simJunosTarget: Target = {
  name: 'sim-junos',
  description: 'sim-junos over real SSH: mutated NETCONF RPCs (XML and framing), both framings',
  weight: 2,
  wire: true,
  async start(): Promise<TargetRun<Input>> {
    const topology = defaultTopology();
    topology.devices.r2 = { ...topology.devices.r2, netconf11: true };
    const sim = await startSimJunos({ ...topology, clock: 'manual' });
    const corpus = rpcSamples();
    const info = (d: 'r1' | 'r2'): SimDeviceInfo => sim.devices[d]!;
    const target = (d: 'r1' | 'r2') => ({ host: sim.host, port: info(d).port, username: info(d).username, password: info(d).password, hostKeyFingerprint: info(d).hostKeyFingerprint });
    const idle: Record<'r1' | 'r2', RawNetconf[]> = { r1: [], r2: [] };
    const uses = new WeakMap<RawNetconf, number>();
    const lane = async (d: 'r1' | 'r2'): Promise<RawNetconf> => {
      for (let s = idle[d].pop(); s; s = idle[d].pop()) if (!s.closed) return s;
      return openRawNetconf(target(d));
    };
    return {
      concurrency: LANES,
      generate: (rng, index) => generate(rng, index, corpus),
      async execute(input) {
        let session: RawNetconf;
        try {
          session = await lane(input.device);
        } catch (err) {
          return [{ kind: 'server-dead', summary: 'cannot open a NETCONF session', detail: (err as Error).message }];
        }
        let bytes: Buffer;
        // A delimiter inside the XML splits it into several messages; chunked framing cannot carry
        // an empty one (sent as a bare end-of-chunks marker instead): both count as broken framing.
        let broken = input.framingSeed !== undefined || (session.framing === 'eom' && input.xml.includes(']]>]]>'));
        try {
          bytes = session.frame(input.xml);
        } catch {
          bytes = Buffer.from('\n##\n');
          broken = true;
        }
        if (input.framingSeed !== undefined) bytes = mutateBytes(createRng(input.framingSeed, 'sim-junos-framing', 0), bytes, [']]>]]>', '\n#', '\n##\n', '\n#1\n', '\n#99999\n', '\u0000']);
        session.write(bytes);
        const m = await session.next(broken ? BROKEN_FRAMING_MS : ANSWER_MS);
        if (broken) {
          session.close(); // whatever state the stream is in now, it is not reused
          return m.kind === 'message' ? judge(m.xml) : [];
        }
        if (m.kind === 'timeout') {
          session.close();
          return [{ kind: 'hang', summary: `no reply within ${ANSWER_MS} ms` }];
        }
        if (m.kind === 'closed') return [{ kind: 'wrong-result', summary: 'session closed on a well-framed RPC' }];
        const used = (uses.get(session) ?? 0) + 1;
        uses.set(session, used);
        if (used < RPCS_PER_SESSION) idle[input.device].push(session);
        else session.close();
        return judge(m.xml);
      },
      show: (i) => `to ${i.device}${i.framingSeed !== undefined ? ` (framing mutated, seed ${i.framingSeed})` : ''}: ${JSON.stringify(i.xml)}`,
      isOwnError: () => false,
      async liveness() {
        for (const d of ['r1', 'r2'] as const) {
          try {
            const c = await connectNetconf({ host: sim.host, port: info(d).port, username: info(d).username, password: info(d).password, hostKeyFingerprints: [info(d).hostKeyFingerprint], rpcTimeoutMs: 5000, handshakeTimeoutMs: 5000 });
            await c.rpc('<get-software-information/>');
            await c.close();
          } catch (err) {
            return `a fresh session to ${d} failed: ${(err as Error).message.slice(0, 200)}`;
          }
        }
        return undefined;
      },
      async close() {
        for (const s of [...idle.r1, ...idle.r2]) s.close();
        await sim.close();
      },
    };
  },
};
