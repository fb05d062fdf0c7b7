// One simulated router: identity, credentials, configuration store, faults and SFTP files.
import { timingSafeEqual } from 'node:crypto';
import type { ConfigStore, SessionRef } from './store.js';
import type { Faults } from './faults.js';
import type { MemoryFs } from './sftp.js';
import type { LevelLogger } from './logger.js';
import type { PlatformFamily } from './platform.js';

interface DeviceIdentity {
  hostname: string;
  model: string;
  version: string;
  serialNumber: string;
  /** The YANG family whose statements the device accepts (from `platform`, else its model). */
  platform: PlatformFamily;
}

export interface SimDevice extends DeviceIdentity {
  name: string;
  username: string;
  /** Compared in constant time; never logged. */
  password: string;
  /** OpenSSH public keys allowed to log in as `username`. */
  authorizedKeys: string[];
  /** Offer base:1.1 (chunked framing) in the hello even without `system services netconf rfc-compliant`. */
  netconf11: boolean;
  store: ConfigStore;
  /** How long one minute of a `commit confirmed` timeout lasts (ms; 60000 unless accelerated). */
  confirmMinuteMs: number;
  faults: Faults;
  files: MemoryFs;
  newSession(user: string): SessionRef;
  /** Open NETCONF sessions by id, each with a function ending it (for kill-session). */
  sessions: Map<number, { user: string; kill(): void }>;
  log: LevelLogger;
  /** RPC counters for the bench and tests. */
  stats: { sessions: number; rpcs: number };
}

export function passwordMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

let nextSessionId = 1000;
export function allocateSessionId(): number {
  return ++nextSessionId;
}
