// createAgentClient: the coordinator's handle on one site agent (fleet/ops.ts AgentClient). Every
// change leaves through protocol/wire.ts, which refuses any Secret that is not a reference, and
// every answer is checked against the shared schemas. Calls made together (a cycle's reads,
// stages, confirms, MKA reads) travel together (batch.ts).
import type { MkaSession } from '@qkd-macsec/junos-netconf';
import type { AgentClient, DeviceOps } from '../../fleet/ops.js';
import type { RotatorMetrics } from '../../metrics/index.js';
import { changeToWire, configFromAgent, loadToWire } from '../protocol/wire.js';
import { AgentError } from './errors.js';
import { createCaller } from './batch.js';
import { resolveRetry, type AgentRetryOptions, type RecordExchange, type Transport } from './request.js';
import type { SiteConfig } from './site.js';
import { agentDispatcher } from './tls.js';

export interface AgentClientOptions {
  logger: { warn(...args: unknown[]): unknown; debug(...args: unknown[]): unknown };
  /** enc/dec timed as qkd_macsec_kme_request_duration_seconds{kme="agent SITE"} (and qkd_macsec_kme_up: the agent answered), commits as qkd_macsec_commit_duration_seconds. */
  metrics?: RotatorMetrics;
  /** One attempt's budget; default site.agent.timeoutMs, else 30 000 ms. */
  timeoutMs?: number;
  /** Retries after a lost connection or a timeout (same requestId); false disables. */
  retry?: Partial<AgentRetryOptions> | false;
  /** Told of every exchange with the agent, bodies and headers as sent and received. */
  record?: RecordExchange;
}

export function createAgentClient(site: SiteConfig, options: AgentClientOptions): AgentClient {
  const t: Transport = {
    site: site.name,
    url: site.agent.url.replace(/\/+$/, ''),
    dispatcher: agentDispatcher(site.name, site.agent),
    timeoutMs: options.timeoutMs ?? site.agent.timeoutMs ?? 30_000,
    retry: resolveRetry(options.retry),
    logger: options.logger,
    ...(options.record ? { record: options.record } : {}),
  };
  // Every POST through one caller: those made within one event-loop turn leave as one batch.
  const post = createCaller(t);
  const m = options.metrics;
  /** `answered`: the agent sent an answer (an error answer included; AgentError's status is 0 when none came). */
  const timed = async <T>(p: () => Promise<T>, observe: ((seconds: number, answered: boolean) => void) | undefined): Promise<T> => {
    const start = performance.now();
    let answered = true;
    try {
      return await p();
    } catch (err) {
      answered = err instanceof AgentError && err.status > 0;
      throw err;
    } finally {
      observe?.((performance.now() - start) / 1000, answered);
    }
  };
  const kmeTimer = (op: string) => m && ((s: number, answered: boolean) => m.observeKmeRequest(`agent ${site.name}`, op, s, answered));
  const commitTimer = (device: string) => m && ((s: number) => m.observeCommit(device, s));
  const devices = new Map<string, DeviceOps>();

  const deviceOps = (device: string): DeviceOps => ({
    device,
    readMacsec: async (parts = {}) => configFromAgent((await post('read', { device, parts })).config),
    loginUsers: async () => (await post('loginUsers', { device })).users,
    async facts() {
      const f = (await post('facts', { device })).facts;
      return { hostname: f.hostname, model: f.model, version: f.version, serialNumber: f.serialNumber };
    },
    mkaSessions: async () => (await post('mka', { device })).sessions.map(fromWireSession),
    async commit(loads, o) {
      const wire = loads.map((l) => loadToWire(l, site.name));
      await timed(() => post('commit', { device, loads: wire, comment: o.comment, ...(o.confirmMinutes !== undefined ? { confirmMinutes: o.confirmMinutes } : {}) }), commitTimer(device));
    },
    async confirmPending(change, comment) {
      await post('confirmPending', { device, comment, ...(change ? { change: changeToWire(change, site.name) } : {}) });
    },
    async stage(tx, change, o) {
      const wire = changeToWire(change, site.name);
      await timed(() => post('stage', { tx, device, change: wire, comment: o.comment, confirmMinutes: o.confirmMinutes }), commitTimer(device));
    },
    async confirmStaged(tx, change, comment) {
      await timed(() => post('confirmStaged', { tx, device, comment, ...(change ? { change: changeToWire(change, site.name) } : {}) }), commitTimer(device));
    },
    async releaseStaged(tx) {
      await post('releaseStaged', { tx, device });
    },
  });

  return {
    site: site.name,
    url: t.url,
    encKey: (r) => timed(() => post('encKey', { ...r }), kmeTimer('enc_keys')),
    decKey: (r) => timed(() => post('decKey', { ...r }), kmeTimer('dec_keys')),
    async endTx(tx) {
      await post('endTx', { tx });
    },
    device(name) {
      if (!site.devices[name]) throw new Error(`device ${name} is not behind the agent of site ${site.name}`);
      let ops = devices.get(name);
      if (!ops) devices.set(name, (ops = deviceOps(name)));
      return ops;
    },
    close: () => t.dispatcher.close(),
  };
}

/** An MKA session as junos-netconf's type has it (no raw XML crossed the wire). */
function fromWireSession(s: Omit<MkaSession, 'raw'> | Record<string, unknown>): MkaSession {
  const w = s as Partial<MkaSession>;
  return {
    interface: w.interface ?? '',
    state: w.state,
    secured: w.secured === true,
    cakType: w.cakType,
    ckn: w.ckn,
    memberIdentifier: w.memberIdentifier,
    transmitIntervalMs: w.transmitIntervalMs,
    outboundSci: w.outboundSci,
    messageNumber: w.messageNumber,
    keyNumber: w.keyNumber,
    keyServer: w.keyServer,
    keyServerPriority: w.keyServerPriority,
    latestSakAn: w.latestSakAn,
    latestSakKi: w.latestSakKi,
    sakInstalled: w.sakInstalled === true,
    caks: (w.caks ?? []).map((c) => ({ ckn: c.ckn, type: c.type, state: c.state })),
    raw: {},
  };
}
