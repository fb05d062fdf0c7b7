// A fixed CPU workload timed in the bench's own process, printed beside the fleet table: the
// cycle's ratios depend on how fast the machine runs the rotator's thread, and the development
// machine is neither always the same one nor always as fast (on 2026-11-27 one machine gave a
// reference of 47–51 ms and 1.06–1.32 ms of rotator CPU per device-cycle at 2,000 links for an
// hour, then 42–43 ms and 0.78–0.89 ms). Two tables compare through this figure. The work is the
// rotator's kind: parsing NETCONF replies and serialising state to JSON.
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseXml } from '@qkd-macsec/junos-netconf/xml';

export interface MachineReference {
  /** The best of `rounds` timings of the workload. */
  ms: number;
  cpu: string;
  cores: number;
}

/** An MKA-sessions reply of one interface, shaped as sim-junos sends it (~1 KB). */
export function mkaReply(i: number): string {
  const leaf = (name: string, value: string | number) => `<${name}>${value}</${name}>`;
  const session =
    leaf('interface-name', `xe-0/0/${i % 48}`) +
    leaf('interface-state', 'Secured - Primary') +
    leaf('mka-session-status', 'live') +
    leaf('member-identifier', (i * 7919).toString(16).padStart(24, '0')) +
    leaf('cak-name', (i * 104729).toString(16).padStart(64, '0')) +
    leaf('cak-type', 'primary') +
    leaf('transmit-interval', 2000) +
    leaf('outbound-sci', `${(i * 31).toString(16).padStart(16, '0')}/1`) +
    leaf('key-server', 'yes') +
    leaf('latest-sak-an', 0) +
    `<mka-peer-list><mka-peer-info>${leaf('peer-member-identifier', (i * 13).toString(16).padStart(24, '0'))}${leaf('peer-status', 'live')}</mka-peer-info></mka-peer-list>`;
  return `<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${i}"><mka-session-information><mka-session-info>${session}</mka-session-info></mka-session-information></rpc-reply>`;
}

/** The state a journal write serialises, for `links` links (no key material: placeholders). */
function journalLike(links: number): object {
  const out: Record<string, object> = {};
  for (let i = 0; i < links; i++) {
    out[`link-${i}`] = { phase: 'staged', ckn: i.toString(16).padStart(64, '0'), keyIds: [`k-${i}-a`, `k-${i}-b`], ends: [{ device: `r${2 * i}`, staged: true }, { device: `r${2 * i + 1}`, staged: true }] };
  }
  return out;
}

export function machineReference(rounds = 15): MachineReference {
  const replies = Array.from({ length: 4_000 }, (_, i) => mkaReply(i));
  const journal = journalLike(2_000);
  let best = Infinity;
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (const reply of replies) sink += Object.keys(parseXml(reply)).length;
    for (let w = 0; w < 10; w++) sink += JSON.stringify(journal).length;
    best = Math.min(best, performance.now() - t);
  }
  if (sink === 0) throw new Error('machine reference: the workload produced nothing');
  const info = cpus();
  return { ms: best, cpu: info[0]?.model.trim() ?? 'unknown CPU', cores: info.length };
}
