// "Who held which key material" in `demo --sites`, counted from evidence rather than asserted:
// - the KMEs: their key log (the simulator's record of every key it handed out, per KME);
// - each agent: its key store's own counters on /metrics (keys zeroed so far + keys held now);
// - the coordinator: every key and CAK the KMEs handed out searched for, in every form the scanner
//   knows plus the `$9$` form the devices show, in everything the coordinator said, wrote and
//   was told: its log, its reports, its state and config files, every exchange with the agents.
import { readFileSync } from 'node:fs';
import { deriveCknCak, type CipherSuite, type CknStrategyName } from '@qkd-macsec/macsec-config';
import { filesUnder, scanText, type Leak } from './scan.js';
import { renderTable } from '../table.js';

export interface Needles {
  /** key_ID (or "<key_ID> CAK", "CAK on <device>") → bytes. */
  keys: Map<string, Buffer>;
  /** The `$9$` forms the devices show for the CAKs committed to them. */
  extra: Array<[label: string, value: string]>;
  /** Keys handed out per KME (enc_keys and dec_keys answers), from sim-kme's key log. */
  perKme: Record<string, number>;
  /** Distinct key_IDs the KMEs handed out. */
  keyIds: Set<string>;
}

/** Needles from the simulators' key logs: sim-kme's (keys) and sim-junos' (CAKs as committed, and their $9$). */
export function readNeedles(logs: { kme: string; junos: string }, derive: { cipherSuite: CipherSuite; strategy: CknStrategyName }): Needles {
  const keys = new Map<string, Buffer>();
  const perKme: Record<string, number> = {};
  const keyIds = new Set<string>();
  for (const e of jsonLines<{ id: string; keyId: string; hex: string }>(logs.kme)) {
    const bytes = Buffer.from(e.hex, 'hex');
    perKme[e.id] = (perKme[e.id] ?? 0) + 1;
    keyIds.add(e.keyId);
    keys.set(e.keyId, bytes);
    const cak = Buffer.from(deriveCknCak({ keyId: e.keyId, bytes }, derive).cak.reveal(), 'hex');
    if (!cak.equals(bytes)) keys.set(`${e.keyId} CAK`, cak);
  }
  const known = new Set([...keys.values()].map((b) => b.toString('hex')));
  const extra: Array<[string, string]> = [];
  for (const e of jsonLines<{ id: string; hex: string; junos9: string }>(logs.junos)) {
    if (!known.has(e.hex)) keys.set(`CAK on ${e.id} ${e.hex.slice(0, 4)}…`, Buffer.from(e.hex, 'hex'));
    extra.push([`$9$ of a CAK on ${e.id}`, e.junos9]);
  }
  return { keys, extra, perKme, keyIds };
}

export interface ScanResult {
  leaks: Leak[];
  /** Distinct keys (by label) found anywhere. */
  found: Set<string>;
  bytes: number;
  sources: number;
}

/** Scans named texts and every file under `dirs` for the needles. */
export function scanAll(texts: Array<[where: string, text: string]>, dirs: string[], needles: Needles): ScanResult {
  const all = [...texts, ...dirs.flatMap((d) => filesUnder(d).map((f): [string, string] => [f, readFileSync(f).toString('latin1')]))];
  const leaks = all.flatMap(([where, text]) => scanText(where, text, needles.keys, needles.extra));
  return { leaks, found: new Set(leaks.map((l) => (l.keyId === '-' ? l.form : l.keyId))), bytes: all.reduce((n, [, t]) => n + t.length, 0), sources: all.length };
}

/** An agent's key count from its own /metrics: keys zeroed so far (every key it held ends zeroed) + keys held now. */
async function agentKeyCounts(metricsUrl: string): Promise<{ held: number; now: number }> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  const now = sum('qkd_macsec_agent_keys_held');
  return { held: sum('qkd_macsec_agent_keys_zeroed_total') + now, now };
}

export interface HolderRow {
  process: string;
  keys: number;
  heldNow: number | undefined;
  how: string;
}

export function whoHeldTable(rows: HolderRow[]): string {
  return renderTable(
    ['process', 'keys/CAKs held', 'held now', 'counted from'],
    rows.map((r) => [r.process, String(r.keys), r.heldNow === undefined ? '-' : String(r.heldNow), r.how]),
  );
}

function jsonLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/**
 * Who held how many keys: the coordinator as the scan found (`exchanges`: how many agent exchanges
 * it covered), each site's agent from its /metrics, each site's KME from the key log.
 */
export async function holders(sites: ReadonlyArray<{ site: string; metricsUrl: string }>, needles: Needles, scan: ScanResult, exchanges: number): Promise<{ rows: HolderRow[]; held: Record<string, number> }> {
  const rows: HolderRow[] = [{ process: 'coordinator', keys: scan.found.size, heldNow: undefined, how: `searched ${exchanges} agent exchanges, its log, reports, config and state (${scan.sources} sources, ${scan.bytes} bytes)` }];
  const held: Record<string, number> = { coordinator: scan.found.size };
  for (const { site, metricsUrl } of sites) {
    const c = await agentKeyCounts(metricsUrl);
    rows.push({ process: `agent-${site}`, keys: c.held, heldNow: c.now, how: 'its key store: qkd_macsec_agent_keys_zeroed_total + keys_held' });
    held[`agent-${site}`] = c.held;
  }
  for (const { site } of sites) {
    const n = needles.perKme[`KME_${site}`] ?? 0;
    rows.push({ process: `KME-${site}`, keys: n, heldNow: undefined, how: 'sim-kme key log: keys handed out (enc_keys + dec_keys)' });
    held[`KME-${site}`] = n;
  }
  return { rows, held };
}
