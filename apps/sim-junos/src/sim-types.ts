// What startSimJunos takes and returns.
import type { Clock } from './clock.js';
import type { SimConfigFile } from './config.js';
import type { ConfigNode } from './config-tree.js';
import type { Faults } from './faults.js';
import type { DownInterval, FallbackInterval, LinkDefinition, LinkStatus } from './link-model.js';
import type { Logger } from './logger.js';
import type { MemoryFs } from './sftp.js';
import type { CommitRecord } from './store.js';

/** How to reach one simulated device. `password` is not enumerable, so logging or serialising
 *  this object does not print it. */
export interface SimDeviceInfo {
  name: string;
  host: string;
  port: number;
  /** `SHA256:…`, to pin the host key. */
  hostKeyFingerprint: string;
  /** OpenSSH public key line (for known_hosts). */
  hostPublicKey: string;
  username: string;
  readonly password: string;
}

export interface SimDeviceControl {
  /** Committed configuration as Junos text (secrets shown as $9$). */
  committedText(): string;
  committed(): ConfigNode;
  history(): readonly CommitRecord[];
  files: MemoryFs;
  faults(): Faults;
  stats(): { sessions: number; rpcs: number };
}

/** One minute of a `commit confirmed` timeout, unless `confirmMinuteMs` accelerates it. */
export const DEFAULT_CONFIRM_MINUTE_MS = 60_000;

export interface SimJunosOptions extends Omit<SimConfigFile, 'clock'> {
  /** 'manual' for tests, 'real' (default), or your own clock. */
  clock?: 'real' | 'manual' | Clock;
  /** Sessions, commits and link changes (never key material). Default: silent. */
  logger?: Logger;
}

export interface LinkHistory {
  downIntervals: DownInterval[];
  fallbackIntervals: FallbackInterval[];
  /** Total ms down, open interval counted up to now. */
  downMs: number;
  /** Total ms secured on fallback, open interval counted up to now. */
  fallbackMs: number;
}

export interface SimJunos {
  host: string;
  devices: Record<string, SimDeviceInfo>;
  links: Record<string, LinkDefinition>;
  /** Set when `sharedPort` was configured: log in as "user@device" to reach a device. */
  sharedPort?: number;
  sharedHostKeyFingerprint?: string;
  clock: Clock;
  now(): number;
  /** Moves a manual clock forward (fires commit-confirmed rollbacks, crosses key start-times). */
  advance(ms: number): void;
  linkStatus(linkId: string): LinkStatus;
  /** Every interval during which the link was down, and every one it ran secured on its
   *  fallback key, oldest first (`to` absent while still in that state), with their totals up to now. */
  linkHistory(linkId: string): LinkHistory;
  /** Down intervals of every link that overlap [since, now]. */
  downIntervalsSince(since: number): Array<DownInterval & { linkId: string }>;
  /** Intervals on fallback of every link that overlap [since, now]. */
  fallbackIntervalsSince(since: number): Array<FallbackInterval & { linkId: string }>;
  /** Replaces a device's faults (`{}` clears them); applies to the next RPC. */
  setFaults(device: string, faults: Faults): void;
  getFaults(device: string): Faults;
  /** `http://127.0.0.1:PORT` when the admin endpoint was asked for (`admin` option). */
  adminUrl?: string;
  /** The key log file, when `keyLog` was given. */
  keyLogFile?: string;
  /** How long one minute of a `commit confirmed` timeout lasts here (ms). */
  confirmMinuteMs: number;
  device(name: string): SimDeviceControl;
  close(): Promise<void>;
}
