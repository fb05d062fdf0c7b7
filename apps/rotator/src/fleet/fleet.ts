// The rotator's connections: one pooled NETCONF session per device, kept across cycles for the
// whole fleet (junos-netconf's pool: maxSessions apart from the in-flight bound, keepalives,
// background reconnect with backoff; closed by close()), one ETSI 014 client per SAE, and the
// per-device mutex. Confirms go on the pool's urgent lane: on the device's one session, never
// queued behind rotation.concurrency.
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSessionPool, type JunosDevice, type SessionPool } from '@qkd-macsec/junos-netconf';
import { createKeyedMutex, type KeyedMutex } from './mutex.js';

export type ConnectDevice = (device: string) => Promise<JunosDevice>;
export type KmeClientFor = (sae: string) => QkdClient;

export interface FleetOptions {
  connectDevice: ConnectDevice;
  kmeClientFor: KmeClientFor;
  /** Device operations in flight at once (normal lane). */
  concurrency: number;
  /** Sessions kept open (default 10 000, and at least the fleet's device count). */
  maxSessions?: number;
  /** Probe an idle session this often (default 60 s; 0: never). */
  keepaliveIntervalMs?: number;
  logger?: { warn(...args: unknown[]): unknown };
  /** Connection attempts per use (default 2). */
  connectAttempts?: number;
}

export interface Fleet {
  /** Run `fn` on the device's pooled session (one use at a time per device). */
  withDevice<T>(device: string, fn: (d: JunosDevice) => Promise<T>): Promise<T>;
  /** The same session, on the urgent lane: not bounded by concurrency, ahead of the device's queued uses (confirms). */
  urgent<T>(device: string, fn: (d: JunosDevice) => Promise<T>): Promise<T>;
  /** The ETSI 014 client that speaks as `sae` (created once, cached). */
  kme(sae: string): QkdClient;
  /** Held by a transaction across its phases on a set of devices. */
  readonly mutex: KeyedMutex;
  readonly pool: SessionPool<JunosDevice>;
  close(): Promise<void>;
}

export function createFleet(options: FleetOptions): Fleet {
  const pool = createSessionPool<JunosDevice>({
    connect: (name) => options.connectDevice(name),
    maxConcurrency: options.concurrency,
    maxSessions: options.maxSessions ?? 10_000,
    retry: { attempts: options.connectAttempts ?? 2, baseDelayMs: 200, maxDelayMs: 2000 },
    idleTimeoutMs: 0,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 60_000,
    // A cheap RPC: a session that does not answer is closed and reopened in the background.
    keepalive: (d) => d.rpc('<get-software-information/>'),
    reconnect: 'background',
    ...(options.logger ? { logger: { warn: (m: string) => void options.logger!.warn(m) } } : {}),
  });
  const clients = new Map<string, QkdClient>();
  return {
    withDevice: (device, fn) => pool.use(device, fn),
    urgent: (device, fn) => pool.use(device, fn, { priority: 'urgent' }),
    kme(sae) {
      let c = clients.get(sae);
      if (!c) clients.set(sae, (c = options.kmeClientFor(sae)));
      return c;
    },
    mutex: createKeyedMutex(),
    pool,
    async close() {
      await pool.close();
      await Promise.allSettled([...clients.values()].map((c) => c.close()));
      clients.clear();
    },
  };
}
