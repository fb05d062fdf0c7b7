// Where a running daemon's control endpoint is: `control.json` in the state directory, beside the
// lock, written (mode 0600) once the endpoint listens and removed when the daemon stops. Without
// TLS it also holds a random token the endpoint asks for, so only who can read the state
// directory (mode 0700: the daemon's user, root) can use it.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { writeFileAtomic } from '@qkd-macsec/cert-lcm';
import { join } from 'node:path';
import { pidAlive } from '../../state/lock.js';

export const CONTROL_FILE = 'control.json';

export interface ControlRecord {
  /** http://127.0.0.1:PORT, or https://… with mutual TLS. */
  url: string;
  pid: number;
  host: string;
  since: string;
  /** Bearer token (plain HTTP on loopback only). */
  token?: string;
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function writeControlRecord(stateDir: string, record: ControlRecord): Promise<void> {
  await writeFileAtomic(join(stateDir, CONTROL_FILE), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

export async function removeControlRecord(stateDir: string): Promise<void> {
  await rm(join(stateDir, CONTROL_FILE), { force: true });
}

/**
 * The running daemon's record, or undefined when there is none or it belongs to a process on this
 * host that is gone (a daemon killed with SIGKILL leaves its record behind).
 */
export async function readControlRecord(stateDir: string): Promise<ControlRecord | undefined> {
  let r: Partial<ControlRecord>;
  try {
    r = JSON.parse(await readFile(join(stateDir, CONTROL_FILE), 'utf8')) as Partial<ControlRecord>;
  } catch {
    return undefined;
  }
  if (typeof r.url !== 'string' || typeof r.pid !== 'number' || typeof r.host !== 'string' || typeof r.since !== 'string') return undefined;
  if (r.host === hostname() && !pidAlive(r.pid)) return undefined;
  return r as ControlRecord;
}
