// What the rotator's JSON log lines (every process: the daemons, `rotate`, `init`) say about
// rotations: keys fetched, keys active, links that failed and in which phase.
import { readFileSync } from 'node:fs';

export interface RotatorLogFacts {
  /** key_ID -> link, for every key a rotator fetched. */
  fetched: Map<string, string>;
  /** key_ID -> link, for every fallback key a rotator fetched. */
  fetchedFallback: Map<string, string>;
  /** key_ID -> link, for every key a rotator saw active on every end (in its cycle, or completed on resume). */
  active: Map<string, string>;
  /** key_ID -> link, for every fallback key installed on every end. */
  fallbackInstalled: Map<string, string>;
  /** key_ID -> link, for every key a resume rolled back. */
  resumedRolledBack: Map<string, string>;
  /** Failures by phase (fetch, stage, confirm, verify, …). */
  failures: Map<string, number>;
  /** Lines that are not JSON (a crash trace, a warning printed by Node): counted, shown in the report. */
  otherLines: number;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// The engine's wording (apps/rotator/src/engine: key-flow.ts, record.ts, cycle-run.ts, resume.ts).
const FETCHED = new RegExp(`^link (\\S+): (fallback )?key (${UUID}) fetched`);
const ACTIVE = new RegExp(`^link (\\S+): key (${UUID}) active on `);
const FALLBACK_INSTALLED = new RegExp(`^link (\\S+): fallback key (${UUID}) installed on `);
const RESUMED_DONE = new RegExp(`^link (\\S+): resumed (fallback )?key (${UUID}): .*completed`);
const RESUMED_BACK = new RegExp(`^link (\\S+): resumed (fallback )?key (${UUID}) rolled back`);
const FAILED = /^link (\S+): (\w+) failed/;

export function emptyFacts(): RotatorLogFacts {
  return { fetched: new Map(), fetchedFallback: new Map(), active: new Map(), fallbackInstalled: new Map(), resumedRolledBack: new Map(), failures: new Map(), otherLines: 0 };
}

export function addLogText(facts: RotatorLogFacts, text: string): RotatorLogFacts {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let msg: unknown;
    try {
      msg = (JSON.parse(line) as { msg?: unknown }).msg;
    } catch {
      facts.otherLines++;
      continue;
    }
    if (typeof msg !== 'string') continue;
    let m = FETCHED.exec(msg);
    if (m) (m[2] ? facts.fetchedFallback : facts.fetched).set(m[3]!, m[1]!);
    else if ((m = ACTIVE.exec(msg))) facts.active.set(m[2]!, m[1]!);
    else if ((m = FALLBACK_INSTALLED.exec(msg))) facts.fallbackInstalled.set(m[2]!, m[1]!);
    else if ((m = RESUMED_DONE.exec(msg))) (m[2] ? facts.fallbackInstalled : facts.active).set(m[3]!, m[1]!);
    else if ((m = RESUMED_BACK.exec(msg))) facts.resumedRolledBack.set(m[3]!, m[1]!);
    else if ((m = FAILED.exec(msg))) facts.failures.set(m[2]!, (facts.failures.get(m[2]!) ?? 0) + 1);
  }
  return facts;
}

export function readRotatorLogs(files: readonly string[]): RotatorLogFacts {
  const facts = emptyFacts();
  for (const f of files) addLogText(facts, readFileSync(f, 'utf8'));
  return facts;
}

/** Reads the `.stderr.log` files of a directory incrementally (whole lines only) into one set of facts. */
export function followRotatorLogs(dir: string): { read(): Promise<RotatorLogFacts> } {
  const facts = emptyFacts();
  const offsets = new Map<string, number>();
  return {
    async read() {
      const { readdir, open } = await import('node:fs/promises');
      for (const name of (await readdir(dir)).filter((f) => f.endsWith('.stderr.log')).sort()) {
        const path = `${dir}/${name}`;
        const fh = await open(path, 'r');
        try {
          const from = offsets.get(path) ?? 0;
          const { size } = await fh.stat();
          if (size <= from) continue;
          const buf = Buffer.alloc(size - from);
          await fh.read(buf, 0, buf.length, from);
          const end = buf.lastIndexOf(0x0a);
          if (end === -1) continue;
          addLogText(facts, buf.subarray(0, end + 1).toString('utf8'));
          offsets.set(path, from + end + 1);
        } finally {
          await fh.close();
        }
      }
      return facts;
    },
  };
}

/** Rotations attempted: keys fetched plus fetches that failed. */
export function attemptsOf(facts: RotatorLogFacts): number {
  return facts.fetched.size + (facts.failures.get('fetch') ?? 0);
}
