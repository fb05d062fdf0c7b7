// `npm run chaos -- [options]`: parsed with node:util parseArgs; a bad value is an error naming
// the option and what it takes.
import { parseArgs } from 'node:util';
import type { SoakOptions } from './soak.js';

export const USAGE = `usage: npm run chaos -- [--links N] [--minutes M] [--rotations N] [--seed S] [--json FILE] [--keep]
  --links N              links to rotate: N-1 point-to-point links in a chain and one group (default 20)
  --minutes M            run this long (default 30 unless --rotations is given)
  --rotations N          run until N rotations were attempted (with --minutes: whichever comes first)
  --min-kills N          and at least N SIGKILLs, one at every step boundary (default 6)
  --seed S               replay a run (default: random, printed)
  --json FILE            write the figures as JSON
  --keep                 keep the run directory (logs, state, PKI, key logs) — it holds key logs: delete it after
  --confirm-minute-ms N  how long one minute of commit confirmed lasts on sim-junos (default 3000)
  --slow-commit-ms N     the slow device's commit latency (default 1500)
  --fault-gap-ms N       mean gap between fault episodes (default 4000)
  --rotate-gap-ms N      mean gap between \`rotate --link\` commands (default 5000)`;

export interface CliOptions {
  help?: boolean;
  soak: Omit<SoakOptions, 'log'>;
  json?: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const whole = (name: string, v: string | undefined, def: number, min: number, max = Number.MAX_SAFE_INTEGER) => {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number ${min}..${max}; got "${v}"`);
  return n;
};

export function parseOptions(argv: readonly string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        links: { type: 'string' },
        minutes: { type: 'string' },
        rotations: { type: 'string' },
        'min-kills': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'string' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        'confirm-minute-ms': { type: 'string' },
        'slow-commit-ms': { type: 'string' },
        'fault-gap-ms': { type: 'string' },
        'rotate-gap-ms': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let minutes: number | undefined;
  if (values.minutes !== undefined) {
    minutes = Number(values.minutes);
    if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 7 * 24 * 60) throw new UsageError(`--minutes must be a number of minutes > 0; got "${values.minutes}"`);
  }
  const rotations = values.rotations === undefined ? undefined : whole('rotations', values.rotations, 0, 1);
  if (minutes === undefined && rotations === undefined) minutes = 30;
  const confirmMinuteMs = whole('confirm-minute-ms', values['confirm-minute-ms'], 3000, 200, 60_000);
  const rotateGapMs = whole('rotate-gap-ms', values['rotate-gap-ms'], 5000, 100);
  return {
    ...(values.help === true ? { help: true } : {}),
    soak: {
      links: whole('links', values.links, 20, 2, 500),
      ...(minutes !== undefined ? { minutes } : {}),
      ...(rotations !== undefined ? { rotations } : {}),
      minKills: whole('min-kills', values['min-kills'], 6, 0),
      seed: whole('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1),
      confirmMinuteMs,
      slowCommitMs: whole('slow-commit-ms', values['slow-commit-ms'], 1500, 0, 60_000),
      maxFaultCommitMs: 1000,
      faultGapMs: whole('fault-gap-ms', values['fault-gap-ms'], 4000, 100),
      rotateGapMs,
      calmMs: { min: 1000, max: 12_000 },
      provokeRate: 0.5,
      keep: values.keep === true,
    },
    ...(values.json !== undefined ? { json: values.json } : {}),
  };
}
