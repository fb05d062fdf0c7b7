// Calls made together travel together (client/batch.ts, POST /v1/batch): over real mTLS to real
// agents, sim-kme and sim-junos. Each item stays a request of its own — its own answer or refusal,
// its own requestId across retries — and an agent without /v1/batch still gets every call.
import { randomUUID } from 'node:crypto';
import type { CipherSuite } from '@qkd-macsec/macsec-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClient, Change } from '../fleet/ops.js';
import { AgentError, createAgentClient, type AgentExchange } from './client/index.js';
import { resolveRetry, send, type Transport } from './client/request.js';
import { agentDispatcher } from './client/tls.js';
import { keyRef } from './protocol/refs.js';
import { BATCH_PATH, batchAnswerLineSchema } from './protocol/schemas.js';
import { startRecordingRelay, type RelayedExchange } from './testing/recording-relay.js';
import { startSitesBench, type SitesBench } from './simulated-sites.js';

const SUITE: CipherSuite = 'gcm-aes-256';
const quiet = { warn: () => undefined, debug: () => undefined };

let bench: SitesBench;
const exchanges: AgentExchange[] = [];
const clients: AgentClient[] = [];
const client = (options: { timeoutMs?: number; url?: string } = {}) => {
  const s = bench.sites.dc1!;
  const c = createAgentClient(
    { ...s, agent: { ...s.agent, ...(options.url ? { url: options.url } : {}) } },
    { logger: quiet, retry: { limit: 8, baseDelayMs: 10, maxDelayMs: 20 }, record: (e) => void exchanges.push(e), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) },
  );
  clients.push(c);
  return c;
};

beforeAll(async () => {
  bench = await startSitesBench({ sites: { dc1: { devices: ['r1', 'r3'] }, dc2: { devices: ['r2', 'r4'] } }, links: [['L1', 'r1:et-0/0/0', 'r2:et-0/0/0'], ['L2', 'r3:et-0/0/0', 'r4:et-0/0/0']] });
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await bench?.close();
});

const change = (keyId: string, ckn: string): Change => ({
  config: { connectivityAssociations: [{ name: 'qkd-batch', securityMode: 'static-cak', cipherSuite: SUITE, preSharedKey: { ckn, cak: keyRef(keyId) } }] },
  delete: [],
});
/** The exchanges recorded since `sent`, once `n` are in (an exchange is recorded when its answer ends, after its items settled). */
async function recorded(sent: number, n: number): Promise<AgentExchange[]> {
  for (let i = 0; i < 200 && exchanges.length < sent + n; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  return exchanges.slice(sent);
}
const itemsOf = (e: { request?: string }) => (JSON.parse(e.request ?? '{}') as { items?: Array<{ endpoint: string; body: { requestId: string } }> }).items ?? [];

describe('batches', () => {
  it('calls made together leave as one exchange; each item gets its own answer, a refusal only its own', async () => {
    const a = client();
    const history = bench.junos.device('r3').history().length;
    const sent = exchanges.length;
    const [facts1, facts3, mka, users, stage] = await Promise.allSettled([
      a.device('r1').facts(),
      a.device('r3').facts(),
      a.device('r1').mkaSessions(),
      a.device('r3').loginUsers(),
      // A key this agent never fetched: 409 for this item, nothing loaded on r3.
      a.device('r3').stage(randomUUID(), change(randomUUID(), 'ab'.repeat(32)), { comment: 'batched stage', confirmMinutes: 2 }),
    ]);
    const mine = await recorded(sent, 1);
    expect(mine.map((e) => e.path)).toEqual([BATCH_PATH]);
    expect(itemsOf(mine[0]!).map((i) => i.endpoint)).toEqual(['facts', 'facts', 'mka', 'loginUsers', 'stage']);
    expect(mine[0]!.response.trim().split('\n')).toHaveLength(5);
    expect(facts1).toMatchObject({ status: 'fulfilled', value: { hostname: expect.any(String) } });
    expect(facts3.status).toBe('fulfilled');
    expect((facts1 as PromiseFulfilledResult<{ hostname?: string }>).value.hostname).not.toBe((facts3 as PromiseFulfilledResult<{ hostname?: string }>).value.hostname);
    expect(mka).toMatchObject({ status: 'fulfilled', value: expect.any(Array) });
    expect(users.status).toBe('fulfilled');
    expect(stage.status).toBe('rejected');
    const error = (stage as PromiseRejectedResult).reason as AgentError;
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ site: 'dc1', path: '/v1/devices/stage', status: 409, code: 'key-not-held' });
    expect(bench.junos.device('r3').history().length).toBe(history);
  });

  it('a batch that runs out of time is retried for its unanswered items only, with their requestIds: the slow commit is done once', async () => {
    const fast = client();
    const tx = randomUUID();
    const enc = await fast.encKey({ tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: { strategy: 'sha256-keyid' }, kind: 'primary' });
    const slow = client({ timeoutMs: 400 });
    const history = bench.junos.device('r1').history().length;
    bench.junos.setFaults('r1', { commitLatencyMs: 1000 });
    const sent = exchanges.length;
    try {
      const [commit, facts] = await Promise.all([slow.device('r1').commit([{ action: 'merge', change: change(enc.keyId, enc.ckn) }], { comment: 'slow batched commit', confirmMinutes: 2 }), slow.device('r3').facts()]);
      expect(commit).toBeUndefined();
      expect(facts.hostname).toEqual(expect.any(String));
    } finally {
      bench.junos.setFaults('r1', {});
    }
    const mine = await recorded(sent, 3);
    expect(mine.every((e) => e.path === BATCH_PATH)).toBe(true);
    expect(mine.length).toBeGreaterThanOrEqual(3);
    // The first attempt carried both and answered facts; every later one carried the commit alone, under the same requestId.
    expect(itemsOf(mine[0]!).map((i) => i.endpoint)).toEqual(['commit', 'facts']);
    const commitId = itemsOf(mine[0]!)[0]!.body.requestId;
    for (const e of mine.slice(1)) expect(itemsOf(e).map((i) => [i.endpoint, i.body.requestId])).toEqual([['commit', commitId]]);
    expect(bench.junos.device('r1').history().length).toBe(history + 1);
    expect(bench.junos.device('r1').committedText()).toContain('qkd-batch');
    // Left unconfirmed: it rolls back.
    bench.junos.advance(3 * bench.junos.confirmMinuteMs);
    await fast.endTx(tx);
    expect(bench.junos.device('r1').committedText()).not.toContain('qkd-batch');
  });

  it('an agent without /v1/batch (404) gets the same calls one by one, from then on', async () => {
    const relayed: RelayedExchange[] = [];
    const relay = await startRecordingRelay(bench, 'dc1', (e) => void relayed.push(e), { missing: [BATCH_PATH] });
    try {
      const a = client({ url: relay.url });
      const [f1, f3] = await Promise.all([a.device('r1').facts(), a.device('r3').facts()]);
      expect([f1.hostname, f3.hostname]).toEqual([expect.any(String), expect.any(String)]);
      await Promise.all([a.device('r1').loginUsers(), a.device('r3').loginUsers()]);
      expect(relayed.map((e) => `${e.status} ${e.path}`)).toEqual(['404 /v1/batch', '200 /v1/devices/facts', '200 /v1/devices/facts', '200 /v1/devices/login-users', '200 /v1/devices/login-users']);
    } finally {
      await relay.close();
    }
  });

  it('a batch with an item that carries a key is refused whole (400), before any item runs', async () => {
    const s = bench.sites.dc1!;
    const t: Transport = { site: 'dc1', url: s.agent.url, dispatcher: agentDispatcher('dc1', s.agent), timeoutMs: 10_000, retry: resolveRetry(false), logger: quiet };
    const rpcs = bench.junos.device('r1').stats().rpcs;
    try {
      const facts = { endpoint: 'facts', body: { requestId: randomUUID(), device: 'r1' } };
      const keyed = { endpoint: 'endTx', body: { requestId: randomUUID(), tx: 'tx-1', cak: 'ab'.repeat(32) } };
      const refused = send(t, BATCH_PATH, 'post', { items: [facts, keyed] }, batchAnswerLineSchema);
      await expect(refused).rejects.toMatchObject({ status: 400, code: 'bad-request', message: expect.stringContaining('items.1.body') });
      expect(bench.junos.device('r1').stats().rpcs).toBe(rpcs);
    } finally {
      await t.dispatcher.close();
    }
  });
});
