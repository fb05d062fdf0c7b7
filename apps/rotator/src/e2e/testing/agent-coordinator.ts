// The coordinator of the agent fault tests: createRotator in the test process (so engine hooks can
// stop it at exact steps) over a sites-only EngineConfig — no KME, no SAE, no device reached
// directly: connectDevice and kmeClientFor throw if the engine ever asks for one — and a fresh
// AgentDirectory built from the sites bench's site configs (their URLs as they are now).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SitesBench } from '../../agent/simulated-sites.js';
import { createAgentDirectory, type AgentExchange } from '../../agent/client/index.js';
import type { EngineConfig, EngineHooks, EngineLink, Rotator } from '../../engine/index.js';
import { createRotator } from '../../engine/index.js';
import { createStateStore, type RotatorState } from '../../state/index.js';
import { capturingLogger, type CapturingLogger } from './harness.js';

export interface CoordinatorOptions {
  hooks?: EngineHooks;
  /** One attempt's budget per agent request (default 5000 ms). */
  timeoutMs?: number;
  /** Retries after a lost connection or a timeout (default 2, 20..50 ms apart). */
  retries?: number;
  /** Sites whose agent URL is replaced (e.g. by a proxy in front of it). */
  urls?: Record<string, string>;
}

export interface Coordinators {
  stateDir: string;
  config: EngineConfig;
  logger: CapturingLogger;
  /** Every coordinator↔agent exchange so far. */
  exchanges: AgentExchange[];
  start(options?: CoordinatorOptions): Rotator;
  state(): Promise<RotatorState>;
  close(): Promise<void>;
}

export async function coordinators(bench: SitesBench, links: EngineLink[]): Promise<Coordinators> {
  const stateDir = await mkdtemp(join(tmpdir(), 'agent-faults-'));
  const config: EngineConfig = {
    saes: {},
    devices: {},
    kmes: {},
    sites: Object.fromEntries(Object.entries(bench.sites).map(([name, s]) => [name, { saes: s.saes, devices: Object.fromEntries(Object.values(s.devices).map((d) => [d.name, { sae: d.sae }])) }])),
    links,
    rotation: { mode: 'key-chain', cipherSuite: 'gcm-aes-256', ckn: { strategy: 'sha256-keyid' }, leadTimeSeconds: 30, intervalSeconds: 3600, concurrency: 8, confirmTimeoutMinutes: 2 },
    stateDir,
  };
  const logger = capturingLogger();
  const exchanges: AgentExchange[] = [];
  const open = new Set<Rotator>();
  return {
    stateDir,
    config,
    logger,
    exchanges,
    start(options = {}) {
      const sites = Object.fromEntries(Object.entries(bench.sites).map(([n, s]) => [n, { ...s, agent: { ...s.agent, url: options.urls?.[n] ?? s.agent.url } }]));
      const agents = createAgentDirectory(
        { sites },
        { logger, timeoutMs: options.timeoutMs ?? 5000, retry: { limit: options.retries ?? 2, baseDelayMs: 20, maxDelayMs: 50 }, record: (e) => void exchanges.push(e) },
      );
      const rotator = createRotator({
        config,
        logger,
        agents,
        clock: () => new Date(bench.junos.now()),
        sleep: async (ms) => bench.junos.advance(Math.max(0, Math.ceil(ms))),
        connectDevice: (name) => Promise.reject(new Error(`the coordinator asked for a direct session to ${name}`)),
        kmeClientFor: (sae) => {
          throw new Error(`the coordinator asked for a KME client as ${sae}`);
        },
        ...(options.hooks ? { hooks: options.hooks } : {}),
      });
      open.add(rotator);
      const close = rotator.close.bind(rotator);
      rotator.close = async () => {
        open.delete(rotator);
        await close();
      };
      return rotator;
    },
    async state() {
      // Through a fresh store: the state is several files (key_ID log, links, journals).
      return createStateStore(stateDir).load();
    },
    async close() {
      await Promise.allSettled([...open].map((r) => r.close()));
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
