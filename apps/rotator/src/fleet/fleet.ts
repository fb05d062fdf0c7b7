// The rotator's connections: one pooled NETCONF session per device (kept across cycles, closed by
// close()), one ETSI 014 client per SAE, and the per-device mutex.
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSessionPool, type JunosDevice, type SessionPool } from '@qkd-macsec/junos-netconf';
import { createKeyedMutex, type KeyedMutex } from './mutex.js';

export type ConnectDevice = (device: string) => Promise<JunosDevice>;
export type KmeClientFor = (sae: string) => QkdClient;

export interface FleetOptions {
  connectDevice: ConnectDevice;
  kmeClientFor: KmeClientFor;
  /** Devices worked on at once (and sessions kept open). */
  concurrency: number;
  logger?: { warn(...args: unknown[]): unknown };
  /** Connection attempts per use (default 2). */
  connectAttempts?: number;
}

export interface Fleet {
  /** Run `fn` on the device's pooled session (one use at a time per device). */
  withDevice<T>(device: string, fn: (d: JunosDevice) => Promise<T>): Promise<T>;
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
    retry: { attempts: options.connectAttempts ?? 2, baseDelayMs: 200, maxDelayMs: 2000 },
    idleTimeoutMs: 0,
    keepaliveIntervalMs: 0,
    ...(options.logger ? { logger: { warn: (m: string) => void options.logger!.warn(m) } } : {}),
  });
  const clients = new Map<string, QkdClient>();
  return {
    withDevice: (device, fn) => pool.use(device, fn),
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
