// The rotator's connections, as DeviceOps and a KeySource (fleet/ops.ts): for a device reached
// directly, one pooled NETCONF session, kept across cycles for the whole fleet (junos-netconf's
// pool: maxSessions apart from the in-flight bound, keepalives, background reconnect with backoff;
// closed by close()); for a device behind a site agent, the agent client's DeviceOps. Keys come
// from the KeySource (one ETSI 014 client per direct SAE, the agents for the others). Plus the
// per-device mutex. Confirms go on the urgent lane: on a direct device's one session, never queued
// behind rotation.concurrency; an agent device's confirm is not queued at all.
import type { QkdClient } from '@qkd-macsec/etsi-qkd-client';
import { createSessionPool, PoolClosedError, type JunosDevice, type SessionPool } from '@qkd-macsec/junos-netconf';
import type { EngineConfig } from '../engine/config-view.js';
import { directOps } from './direct-ops.js';
import { createKeySource } from './keys.js';
import { createLimiter, type Limiter } from './limit.js';
import { createKeyedMutex, type KeyedMutex } from './mutex.js';
import type { AgentDirectory, DeviceOps, KeySource } from './ops.js';

type ConnectDevice = (device: string) => Promise<JunosDevice>;
type KmeClientFor = (sae: string) => QkdClient;

export interface FleetOptions {
  connectDevice: ConnectDevice;
  kmeClientFor: KmeClientFor;
  /** What the KeySource reads: saes and rotation.ckn. */
  config: Pick<EngineConfig, 'saes' | 'rotation'>;
  /** The site agents, for the devices and SAEs behind them (closed by close()). */
  agents?: AgentDirectory | undefined;
  /** Links fetching keys at once (default: unbounded). */
  kmeLimit?: Limiter | undefined;
  /** Device operations in flight at once (normal lane; direct and agent devices alike). */
  concurrency: number;
  /** Sessions kept open (default 10 000, and at least the fleet's device count). */
  maxSessions?: number;
  /** Probe an idle session this often (default 60 s; 0: never). */
  keepaliveIntervalMs?: number;
  logger?: { warn(...args: unknown[]): unknown } | undefined;
  /** Connection attempts per use (default 2). */
  connectAttempts?: number;
}

export interface Fleet {
  /** Run `fn` on the device (direct: its pooled session, one use at a time per device). */
  withDevice<T>(device: string, fn: (d: DeviceOps) => Promise<T>): Promise<T>;
  /**
   * The same device, started before the normal uses still waiting (bounded by concurrency all the
   * same): the next step of a device's transaction under way — its stage once its links are
   * keyed — is not held behind the rest of the fleet's reads.
   */
  next<T>(device: string, fn: (d: DeviceOps) => Promise<T>): Promise<T>;
  /** The same device on the urgent lane: not bounded by concurrency, ahead of the device's queued uses (confirms). */
  urgent<T>(device: string, fn: (d: DeviceOps) => Promise<T>): Promise<T>;
  /** Steps 1–2 of the protocol, wherever the SAEs are (fleet/keys.ts). */
  readonly keys: KeySource;
  /** Held by a transaction across its phases on a set of devices. */
  readonly mutex: KeyedMutex;
  readonly pool: SessionPool<JunosDevice>;
  close(): Promise<void>;
}

/**
 * One NETCONF session per device, kept (maxSessions apart from the in-flight bound), with spread
 * keepalives and background reconnect: the coordinator's direct devices, and a site agent's own.
 */
export function createDevicePool(options: Pick<FleetOptions, 'connectDevice' | 'concurrency' | 'maxSessions' | 'keepaliveIntervalMs' | 'logger' | 'connectAttempts'>): SessionPool<JunosDevice> {
  return createSessionPool<JunosDevice>({
    connect: (name) => options.connectDevice(name),
    maxConcurrency: options.concurrency,
    maxSessions: options.maxSessions ?? 10_000,
    retry: { limit: (options.connectAttempts ?? 2) - 1, baseDelayMs: 200, maxDelayMs: 2000 },
    idleTimeoutMs: 0,
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 60_000,
    // A cheap RPC: a session that does not answer is closed and reopened in the background.
    keepalive: (d) => d.rpc('<get-software-information/>'),
    reconnect: 'background',
    ...(options.logger ? { logger: { warn: (m: string) => void options.logger!.warn(m) } } : {}),
  });
}

const URGENT = { priority: 'urgent' } as const;
const HIGH = { priority: 'high' } as const;

export function createFleet(options: FleetOptions): Fleet {
  const pool = createDevicePool(options);
  const { agents } = options;
  const keys = createKeySource({ config: options.config, kmeClientFor: options.kmeClientFor, agents, kmeLimit: options.kmeLimit, logger: options.logger });
  // Agent devices' operations share the pool's bound (rotation.concurrency) by a limiter of the same size.
  const agentLane = createLimiter(options.concurrency);
  let closed = false;
  const atAgent = <T>(device: string, fn: (d: DeviceOps) => Promise<T>, urgent: boolean): Promise<T> | undefined => {
    const a = agents?.forDevice(device);
    if (!a) return undefined;
    const poolClosed = (): Promise<never> => Promise.reject(new PoolClosedError(`session pool is closed (request for ${device})`, { key: device }));
    if (closed) return poolClosed();
    return urgent ? fn(a.device(device)) : agentLane(() => (closed ? poolClosed() : fn(a.device(device))));
  };
  return {
    withDevice: (device, fn) => atAgent(device, fn, false) ?? pool.use(device, (s) => fn(directOps(device, s))),
    next: (device, fn) => atAgent(device, fn, false) ?? pool.use(device, (s) => fn(directOps(device, s)), HIGH),
    urgent: (device, fn) => atAgent(device, fn, true) ?? pool.use(device, (s) => fn(directOps(device, s)), URGENT),
    keys,
    mutex: createKeyedMutex(),
    pool,
    async close() {
      closed = true;
      await pool.close();
      await Promise.allSettled([keys.close(), agents?.close()]);
    },
  };
}
