// The agent wire end to end: real mTLS (cert-lcm certificates), real sim-kme KMEs, real sim-junos
// devices over SSH/NETCONF, agents started from their agent.yaml. The coordinator side here is
// the agent client alone, with no KME or device credential.
import { randomUUID } from 'node:crypto';
import { issueCertificate, createCa } from '@qkd-macsec/cert-lcm';
import type { CipherSuite } from '@qkd-macsec/macsec-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentClient, Change } from '../fleet/ops.js';
import { AgentError, checkAgent, createAgentClient, createAgentDirectory, type AgentExchange, type SiteConfig } from './client/index.js';
import { post, resolveRetry, send, type Transport } from './client/request.js';
import { agentDispatcher } from './client/tls.js';
import { ENDPOINTS } from './protocol/schemas.js';
import { keyRef } from './protocol/refs.js';
import { startSitesBench, type SitesBench } from './simulated-sites.js';

const SUITE: CipherSuite = 'gcm-aes-256';
const CKN = { strategy: 'sha256-keyid' } as const;
const quiet = { warn: () => undefined, debug: () => undefined };

let bench: SitesBench;
const exchanges: AgentExchange[] = [];
const clients: AgentClient[] = [];
const client = (site: string, extra: Partial<SiteConfig['agent']> = {}) => {
  const s = bench.sites[site]!;
  const c = createAgentClient({ ...s, agent: { ...s.agent, ...extra } }, { logger: quiet, retry: { limit: 1, baseDelayMs: 10, maxDelayMs: 20 }, record: (e) => void exchanges.push(e) });
  clients.push(c);
  return c;
};

beforeAll(async () => {
  bench = await startSitesBench({ sites: { dc1: { devices: ['r1'] }, dc2: { devices: ['r2'] } }, links: [['L1', 'r1:et-0/0/0', 'r2:et-0/0/0']] });
}, 60_000);
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await bench?.close();
});

/** The change that puts the key on one end of L1 (static CAK, the interface bound to it). */
function l1Change(keyId: string, ckn: string): Change {
  return {
    config: {
      connectivityAssociations: [{ name: 'qkd-L1', securityMode: 'static-cak', cipherSuite: SUITE, preSharedKey: { ckn, cak: keyRef(keyId) } }],
      interfaces: [{ name: 'et-0/0/0', connectivityAssociation: 'qkd-L1' }],
    },
    delete: [],
  };
}

async function fetchL1(a: AgentClient, b: AgentClient, tx: string) {
  const enc = await a.encKey({ tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
  const dec = await b.decKey({ tx, link: 'L1', sae: 'SAE_r2', masterSae: 'SAE_r1', keyId: enc.keyId, cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
  return { enc, dec };
}

/** Every form a key could take in a body or a log line. */
function leaks(text: string): string[] {
  return bench.issuedKeys.filter((hex) => [hex, hex.toUpperCase(), Buffer.from(hex, 'hex').toString('base64')].some((form) => text.includes(form)));
}

describe('site agents over the wire', () => {
  it('enc at one agent and dec at the other give the same key: equal CKN and check value, and no key crosses', async () => {
    const [a, b] = [client('dc1'), client('dc2')];
    const before = bench.issuedKeys.length;
    const tx = randomUUID();
    const { enc, dec } = await fetchL1(a, b, tx);
    expect(dec).toEqual(enc);
    expect(enc.bits).toBe(256);
    expect(enc.check).toMatch(/^[0-9a-f]{16}$/);
    // One key issued (enc_keys), its copy delivered by the other KME (dec_keys).
    expect(bench.issuedKeys.length - before).toBe(1);
    expect(bench.agents.dc1!.inspectKeys().filter((k) => k.tx === tx)).toMatchObject([{ keyId: enc.keyId, sae: 'SAE_r1' }]);
    expect(bench.agents.dc2!.inspectKeys().filter((k) => k.tx === tx)).toMatchObject([{ keyId: enc.keyId, sae: 'SAE_r2' }]);
    await Promise.all([a.endTx(tx), b.endTx(tx)]);
    const wire = exchanges.map((e) => JSON.stringify(e)).join('\n');
    expect(exchanges.length).toBeGreaterThan(0);
    expect(leaks(wire)).toEqual([]);
    expect(leaks(bench.agentLog.join('\n'))).toEqual([]);
  });

  it('stage then confirm-staged through the wire installs the key on both devices and the link comes up secured', async () => {
    const [a, b] = [client('dc1'), client('dc2')];
    const tx = randomUUID();
    const { enc } = await fetchL1(a, b, tx);
    const [r1, r2] = [a.device('r1'), b.device('r2')];
    await Promise.all([r1.stage(tx, l1Change(enc.keyId, enc.ckn), { comment: 'stage', confirmMinutes: 2 }), r2.stage(tx, l1Change(enc.keyId, enc.ckn), { comment: 'stage', confirmMinutes: 2 })]);
    await Promise.all([r1.confirmStaged(tx, undefined, 'confirm'), r2.confirmStaged(tx, undefined, 'confirm')]);
    expect(bench.junos.linkStatus('L1').state).toBe('secured');
    // The confirm holds past the confirm timeout.
    bench.junos.advance(3 * bench.junos.confirmMinuteMs);
    expect(bench.junos.linkStatus('L1').state).toBe('secured');
    // A read comes back with the CAK as a reference the coordinator cannot resolve, never the CAK.
    const read = await r1.readMacsec();
    expect(read.connectivityAssociations?.[0]?.preSharedKey?.ckn).toBe(enc.ckn);
    const sessions = await r1.mkaSessions();
    expect(sessions.some((s) => s.secured && s.ckn === enc.ckn)).toBe(true);
    await a.endTx(tx);
    await b.endTx(tx);
    expect(leaks(exchanges.map((e) => JSON.stringify(e)).join('\n'))).toEqual([]);
    expect(bench.agents.dc1!.inspectKeys().filter((k) => k.tx === tx)).toEqual([]);
    expect(bench.agents.dc2!.inspectKeys().filter((k) => k.tx === tx)).toEqual([]);
  });

  it('a read secret goes back to its device as a reference and the agent resolves it', async () => {
    const a = client('dc1');
    const r1 = a.device('r1');
    const read = await r1.readMacsec();
    const before = bench.junos.device('r1').history().length;
    // Re-merging what the device holds, its CAK a {device, ckn} reference: accepted and committed.
    await r1.commit([{ action: 'merge', change: { config: { connectivityAssociations: read.connectivityAssociations ?? [] }, delete: [] } }], { comment: 'same key back' });
    expect(bench.junos.device('r1').history().length).toBe(before + 1);
    expect(bench.junos.linkStatus('L1').state).toBe('secured');
  });

  it('refuses a real Secret before anything is sent', async () => {
    const { Secret } = await import('@qkd-macsec/macsec-config');
    const a = client('dc1');
    const sent = exchanges.length;
    const change: Change = { config: { connectivityAssociations: [{ name: 'qkd-L1', securityMode: 'static-cak', preSharedKey: { ckn: 'ab'.repeat(32), cak: Secret.fromHex('cd'.repeat(32)) } }] }, delete: [] };
    await expect(a.device('r1').stage(randomUUID(), change, { comment: 'x', confirmMinutes: 2 })).rejects.toThrow('refusing to send key material to agent dc1');
    expect(exchanges.length).toBe(sent);
  });

  it('a replayed request does the work once: one enc_keys, one commit', async () => {
    const s = bench.sites.dc1!;
    const t: Transport = { site: 'dc1', url: s.agent.url, dispatcher: agentDispatcher('dc1', s.agent), timeoutMs: 10_000, retry: resolveRetry(false), logger: quiet };
    try {
      const tx = randomUUID();
      const before = bench.issuedKeys.length;
      const enc = { requestId: randomUUID(), tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' as const };
      const first = await Promise.all([0, 1, 2].map(() => send(t, ENDPOINTS.encKey.path, 'post', enc, ENDPOINTS.encKey.response)));
      const again = await send(t, ENDPOINTS.encKey.path, 'post', enc, ENDPOINTS.encKey.response);
      // A retry with a new requestId for the same (tx, link, kind) is the same key too.
      const renewed = await post(t, 'encKey', { tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
      for (const r of [...first, again, renewed]) expect(r).toEqual(first[0]);
      expect(bench.issuedKeys.length - before).toBe(1);
      // A body carrying a key is refused by the agent's schema, not just the client's.
      const withKey = send(t, ENDPOINTS.encKey.path, 'post', { ...enc, requestId: randomUUID(), cak: 'ab'.repeat(32) }, ENDPOINTS.encKey.response);
      await expect(withKey).rejects.toMatchObject({ status: 400, code: 'bad-request' });
      expect(bench.issuedKeys.length - before).toBe(1);

      const history = bench.junos.device('r1').history().length;
      const stage = {
        requestId: randomUUID(),
        tx,
        device: 'r1',
        change: { config: { connectivityAssociations: [{ name: 'qkd-L9', securityMode: 'static-cak', cipherSuite: SUITE, preSharedKey: { ckn: first[0]!.ckn, cak: { key: first[0]!.keyId } } }] }, delete: [] },
        comment: 'replayed stage',
        confirmMinutes: 2,
      };
      await Promise.all([0, 1].map(() => send(t, ENDPOINTS.stage.path, 'post', stage, ENDPOINTS.stage.response)));
      await send(t, ENDPOINTS.stage.path, 'post', stage, ENDPOINTS.stage.response);
      expect(bench.junos.device('r1').history().length).toBe(history + 1);
      // Undo it: the lock is released and the commit rolls back.
      await send(t, ENDPOINTS.releaseStaged.path, 'post', { requestId: randomUUID(), tx, device: 'r1' }, ENDPOINTS.releaseStaged.response);
      bench.junos.advance(3 * bench.junos.confirmMinuteMs);
      await send(t, ENDPOINTS.endTx.path, 'post', { requestId: randomUUID(), tx }, ENDPOINTS.endTx.response);
    } finally {
      await t.dispatcher.close();
    }
  });

  it('a slow answer is retried with the same requestId: the agent answers the retry with the first commit, not a second', async () => {
    const a = client('dc1');
    const s = bench.sites.dc1!;
    const slow = createAgentClient(s, { logger: quiet, timeoutMs: 400, retry: { limit: 8, baseDelayMs: 10, maxDelayMs: 20 }, record: (e) => void exchanges.push(e) });
    clients.push(slow);
    const tx = randomUUID();
    const enc = await a.encKey({ tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
    const history = bench.junos.device('r1').history().length;
    bench.junos.setFaults('r1', { commitLatencyMs: 1000 });
    const sent = exchanges.length;
    try {
      const change: Change = { config: { connectivityAssociations: [{ name: 'qkd-L8', securityMode: 'static-cak', cipherSuite: SUITE, preSharedKey: { ckn: enc.ckn, cak: keyRef(enc.keyId) } }] }, delete: [] };
      await slow.device('r1').commit([{ action: 'merge', change }], { comment: 'slow commit', confirmMinutes: 2 });
    } finally {
      bench.junos.setFaults('r1', {});
    }
    // Only the answered attempt is recorded; the timed-out ones were retries of the same request.
    expect(exchanges.slice(sent)).toHaveLength(1);
    expect(bench.junos.device('r1').history().length).toBe(history + 1);
    // Left unconfirmed: it rolls back, and L1 never noticed.
    bench.junos.advance(3 * bench.junos.confirmMinuteMs);
    await a.endTx(tx);
    expect(bench.junos.linkStatus('L1').state).toBe('secured');
  });

  it('counts requests, refusals and keys held in qkd_macsec_agent_* metrics', async () => {
    const c = bench.agentConfigs.dc2!;
    c.metrics = { host: '127.0.0.1', port: 0 };
    await bench.stopAgent('dc2');
    const agent = await bench.startAgent('dc2');
    delete c.metrics;
    const wrong = await bench.writeCredential('intruder2', await issueCertificate({ issuer: bench.pki.coordinatorsCa, profile: 'client', commonName: 'intruder' }));
    await client('dc2', wrong).endTx('tx-1').catch(() => undefined);
    const b = client('dc2');
    await b.device('r2').facts();
    const text = await (await fetch(`${agent.metricsUrl!}/metrics`)).text();
    expect(text).toContain('qkd_macsec_agent_requests_total{endpoint="/v1/devices/facts",outcome="ok"} 1');
    expect(text).toContain('qkd_macsec_agent_refusals_total{reason="wrong-name"} 1');
    expect(text).toMatch(/^qkd_macsec_agent_keys_held 0$/m);
    expect(await (await fetch(`${agent.metricsUrl!}/healthz`)).json()).toEqual({ ok: true, site: 'dc2', keysHeld: 0 });
  });

  it('tx/end zeroes every key of the transaction', async () => {
    const kept: Buffer[] = [];
    await bench.stopAgent('dc1');
    await bench.startAgent('dc1', { keyAlloc: (n) => (kept[kept.length] = Buffer.alloc(n)) });
    const a = client('dc1');
    const tx = randomUUID();
    await a.encKey({ tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
    await a.encKey({ tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'fallback' });
    expect(bench.agents.dc1!.inspectKeys().map((k) => k.kind).sort()).toEqual(['fallback', 'primary']);
    expect(kept).toHaveLength(2);
    expect(kept.every((b) => b.some((x) => x !== 0))).toBe(true);
    await a.endTx(tx);
    expect(bench.agents.dc1!.inspectKeys()).toEqual([]);
    expect(kept.every((b) => b.every((x) => x === 0))).toBe(true);
  });

  it('keys not released within keyTtlSeconds are zeroed anyway', async () => {
    const kept: Buffer[] = [];
    bench.agentConfigs.dc1!.keyTtlSeconds = 1;
    await bench.stopAgent('dc1');
    await bench.startAgent('dc1', { keyAlloc: (n) => (kept[kept.length] = Buffer.alloc(n)) });
    bench.agentConfigs.dc1!.keyTtlSeconds = 900;
    const a = client('dc1');
    await a.encKey({ tx: randomUUID(), link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
    expect(bench.agents.dc1!.inspectKeys()).toHaveLength(1);
    expect(kept[0]!.some((x) => x !== 0)).toBe(true);
    // The TTL is 1 s; give a loaded machine up to 10 s to fire the timer.
    for (let i = 0; i < 100 && bench.agents.dc1!.inspectKeys().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(bench.agents.dc1!.inspectKeys()).toEqual([]);
    expect(kept[0]!.every((x) => x === 0)).toBe(true);
  });

  it('an agent restarted mid-transaction has lost the key: stage answers 409 key-not-held and nothing is loaded', async () => {
    const a = client('dc1');
    const tx = randomUUID();
    const enc = await a.encKey({ tx, link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' });
    await bench.stopAgent('dc1');
    await bench.startAgent('dc1');
    const history = bench.junos.device('r1').history().length;
    const rpcs = bench.junos.device('r1').stats().rpcs;
    const error = await a
      .device('r1')
      .stage(tx, l1Change(enc.keyId, enc.ckn), { comment: 'stage', confirmMinutes: 2 })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ site: 'dc1', status: 409, code: 'key-not-held' });
    expect((error as Error).message).toContain('/v1/devices/stage');
    expect(bench.junos.device('r1').history().length).toBe(history);
    expect(bench.junos.device('r1').stats().rpcs).toBe(rpcs);
  });

  it('refuses to remove the login user the agent itself uses on a device (init --remove-field-script cannot lock it out)', async () => {
    const own = bench.agentConfigs['dc1']!.devices['r1']!.username;
    const rpcs = bench.junos.device('r1').stats().rpcs;
    const error = await client('dc1')
      .device('r1')
      .commit([{ action: 'remove-login-user', user: own }], { comment: 'remove the field script user' })
      .then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ site: 'dc1', status: 403, code: 'forbidden' });
    expect((error as Error).message).toContain(`logs in to r1 as ${own}`);
    expect(bench.junos.device('r1').stats().rpcs).toBe(rpcs);
  });

  describe('a caller that is not the coordinator is refused before any work', () => {
    async function refusedWith(site: SiteConfig['agent']): Promise<unknown> {
      const keys = bench.issuedKeys.length;
      const rpcs = bench.junos.device('r1').stats().rpcs;
      const c = client('dc1', site);
      const enc = await c.encKey({ tx: randomUUID(), link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' }).then(() => undefined, (e: unknown) => e);
      const read = await c.device('r1').readMacsec().then(() => undefined, (e: unknown) => e);
      expect(read).toBeInstanceOf(AgentError);
      expect(bench.issuedKeys.length).toBe(keys);
      expect(bench.junos.device('r1').stats().rpcs).toBe(rpcs);
      return enc;
    }

    it('a client certificate from another CA: refused at the handshake', async () => {
      const other = await createCa({ commonName: 'forger CA' });
      const forged = await bench.writeCredential('forged', await issueCertificate({ issuer: other, profile: 'client', commonName: 'coordinator' }));
      const error = await refusedWith({ ...bench.sites.dc1!.agent, ...forged });
      expect(error).toMatchObject({ site: 'dc1', status: 0, code: 'unreachable' });
      expect(bench.agentLog.some((l) => l.includes('at the handshake'))).toBe(true);
    });

    it('the right CA but another name: 403', async () => {
      const wrong = await bench.writeCredential('intruder', await issueCertificate({ issuer: bench.pki.coordinatorsCa, profile: 'client', commonName: 'intruder' }));
      const error = await refusedWith({ ...bench.sites.dc1!.agent, ...wrong });
      expect(error).toMatchObject({ site: 'dc1', status: 403, code: 'forbidden' });
      expect(bench.agentLog.some((l) => l.includes('CN=intruder') && l.includes('wrong-name'))).toBe(true);
    });

    it('an agent pinned to another coordinator certificate: 403 for this one', async () => {
      const c = bench.agentConfigs.dc1!;
      const saved = c.coordinator;
      c.coordinator = { fingerprints: [`sha256:${'0'.repeat(64)}`] };
      await bench.stopAgent('dc1');
      await bench.startAgent('dc1');
      c.coordinator = saved;
      try {
        const error = await refusedWith(bench.sites.dc1!.agent);
        expect(error).toMatchObject({ site: 'dc1', status: 403, code: 'forbidden' });
        expect(bench.agentLog.some((l) => l.includes('wrong-pin'))).toBe(true);
      } finally {
        await bench.stopAgent('dc1');
        await bench.startAgent('dc1');
      }
    });

    it('the coordinator refuses an agent whose certificate is not the pinned one', async () => {
      const c = client('dc1', { fingerprints: [`sha256:${'1'.repeat(64)}`] });
      const error = await c.encKey({ tx: randomUUID(), link: 'L1', masterSae: 'SAE_r1', slaveSaes: ['SAE_r2'], cipherSuite: SUITE, ckn: CKN, kind: 'primary' }).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ site: 'dc1', code: 'unreachable' });
    });
  });

  it('checkAgent reports the KME pair and the devices through the agent; the directory maps devices and SAEs', async () => {
    const r = await checkAgent(bench.sites.dc1!, { logger: quiet, pairs: [{ sae: 'SAE_r1', slave: 'SAE_r2' }, { sae: 'SAE_r1', slave: 'SAE_nobody' }] });
    expect(r).toMatchObject({ site: 'dc1', ok: false, devices: [{ device: 'r1', ok: true }] });
    expect(r.kmes[0]).toEqual({ sae: 'SAE_r1', slave: 'SAE_r2', ok: true });
    expect(r.kmes[1]?.ok).toBe(false);
    const dir = createAgentDirectory({ sites: bench.sites }, { logger: quiet });
    try {
      expect(dir.forDevice('r2')?.site).toBe('dc2');
      expect(dir.forSae('SAE_r1')?.site).toBe('dc1');
      expect(dir.forDevice('r9')).toBeUndefined();
      expect(dir.all().map((c) => c.site).sort()).toEqual(['dc1', 'dc2']);
    } finally {
      await dir.close();
    }
    await bench.stopAgent('dc2');
    const down = await checkAgent(bench.sites.dc2!, { logger: quiet, retry: false });
    expect(down).toMatchObject({ site: 'dc2', ok: false });
    expect(down.error).toContain('agent dc2 /v1/check');
    await bench.startAgent('dc2');
  });
});
