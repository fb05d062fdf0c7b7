// Fleet rotation cycle: N links across 2N simulated devices (one sim-junos, every device with a
// simulated commit latency L), two KMEs (sim-kme, real mTLS), the rotator engine with pooled
// NETCONF sessions. Prints one cycle's wall time next to the floor measured in the same run:
// the slowest single device's commit plus the KME round trips of one link — and, since the
// protocol needs two commits per device (commit confirmed, then confirm), that doubled floor too.
// Start-time waits are jumps of the simulator's manual clock; commit latency is wall time.
//
//   npm run bench:fleet -w tools          (FLEET_LINKS=200 COMMIT_LATENCY_MS=1000 by default)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createQkdClient } from '@qkd-macsec/etsi-qkd-client';
import { connectJunos, type JunosDevice } from '@qkd-macsec/junos-netconf';
import { Worker } from 'node:worker_threads';
import { startSimKme } from '@qkd-macsec/sim-kme';
// The engine from source (tsx runs it, no build needed); EngineConfig is not exported by the package entry.
import { createRotator } from '../../apps/rotator/src/engine/index.js';
import type { EngineConfig } from '../../apps/rotator/src/engine/config-view.js';

const LINKS = Number(process.env.FLEET_LINKS ?? 200);
const LATENCY = Number(process.env.COMMIT_LATENCY_MS ?? 1000);
const CYCLES = Number(process.env.FLEET_CYCLES ?? 2);

interface DeviceInfo {
  host: string;
  port: number;
  username: string;
  password: string;
  hostKeyFingerprint: string;
}

/** sim-junos in a worker thread; its manual clock moves only when we advance it, so now() is local. */
async function startSimInWorker(options: object) {
  // tsx's loader does not reach worker threads on Node 20: the worker loads its TypeScript through tsx's API.
  const entry = new URL('./fleet-sim-worker.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}))`, { eval: true, workerData: options });
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  let seq = 0;
  let now = 0;
  const ready = await new Promise<{ devices: Record<string, DeviceInfo>; now: number }>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: Record<string, unknown>) => {
      if (m.ready) resolve(m as never);
      else pending.get(m.id as number)?.(m);
    });
  });
  now = ready.now;
  const call = (op: string, extra: object = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++seq;
      pending.set(id, (m) => {
        pending.delete(id);
        resolve(m);
      });
      worker.postMessage({ id, op, ...extra });
    });
  return {
    devices: ready.devices,
    now: () => now,
    async advance(ms: number) {
      now = (await call('advance', { ms })).now as number;
    },
    async downIntervalsSince(since: number) {
      return (await call('downSince', { since })).intervals as unknown[];
    },
    async close() {
      await call('close');
      await worker.terminate();
    },
  };
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const t0 = performance.now();
  const devices = Array.from({ length: 2 * LINKS }, (_, i) => `d${i + 1}`);
  const kme = await startSimKme({
    kmes: [
      { id: 'KME_A', port: 0, saes: ['SAE_A'] },
      { id: 'KME_B', port: 0, saes: ['SAE_B'] },
    ],
    links: [{ kmes: ['KME_A', 'KME_B'], maxKeyCount: 100_000, keyRateBps: 100_000_000 }],
  });
  // The simulated routers run in SIM_WORKERS threads (each a sim-junos holding whole links), so
  // that they do not all share one core — real routers do not share the rotator's either.
  const workers = Math.max(1, Math.min(Number(process.env.SIM_WORKERS ?? 2), LINKS));
  const parts = await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const mine = Array.from({ length: LINKS }, (_, i) => i).filter((i) => i % workers === w);
      return startSimInWorker({
        clock: 'manual',
        startTime: Date.UTC(2026, 10, 24, 12, 0, 0),
        devices: Object.fromEntries(mine.flatMap((i) => [`d${2 * i + 1}`, `d${2 * i + 2}`]).map((d) => [d, { faults: { commitLatencyMs: LATENCY } }])),
        links: mine.map((i) => ({ id: `L${i + 1}`, a: `d${2 * i + 1}:et-0/0/0`, b: `d${2 * i + 2}:et-0/0/0` })),
      });
    }),
  );
  const junos = {
    devices: Object.assign({}, ...parts.map((p) => p.devices)) as Record<string, DeviceInfo>,
    now: () => parts[0]!.now(),
    advance: async (ms: number) => void (await Promise.all(parts.map((p) => p.advance(ms)))),
    downIntervalsSince: async (since: number) => (await Promise.all(parts.map((p) => p.downIntervalsSince(since)))).flat(),
    close: async () => void (await Promise.all(parts.map((p) => p.close()))),
  };
  const setupMs = performance.now() - t0;
  const stateDir = await mkdtemp(join(tmpdir(), 'fleet-bench-'));
  const config: EngineConfig = {
    saes: { SAE_A: { kme: 'KME_A' }, SAE_B: { kme: 'KME_B' } },
    devices: Object.fromEntries(devices.map((d, i) => [d, { sae: i % 2 === 0 ? 'SAE_A' : 'SAE_B' }])),
    links: Array.from({ length: LINKS }, (_, i) => ({
      name: `L${i + 1}`,
      master: { device: `d${2 * i + 1}`, interfaces: ['et-0/0/0'] },
      slaves: [{ device: `d${2 * i + 2}`, interfaces: ['et-0/0/0'] }],
    })),
    rotation: {
      mode: 'key-chain',
      cipherSuite: 'gcm-aes-256',
      ckn: { strategy: 'sha256-keyid' },
      leadTimeSeconds: 60,
      intervalSeconds: 3600,
      concurrency: 2 * LINKS,
      confirmTimeoutMinutes: 5,
    },
    stateDir,
  };
  const pki = kme.pki!;
  const tls = (sae: string) => ({ cert: pki.saes[sae]!.certPem, key: pki.saes[sae]!.keyPem, ca: pki.ca.certPem });
  const connect = (name: string): Promise<JunosDevice> => {
    const d = junos.devices[name]!;
    return connectJunos({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], rpcTimeoutMs: 120_000 });
  };
  const kmeClient = (sae: string) => createQkdClient({ baseUrl: kme.kmes[config.saes[sae]!.kme]!.url, tls: tls(sae), timeoutMs: 60_000 });
  const quiet = { info: () => undefined, warn: (...a: unknown[]) => console.warn(...a), error: (...a: unknown[]) => console.error(...a), debug: () => undefined };
  const rotator = createRotator({
    config,
    logger: quiet,
    clock: () => new Date(junos.now()),
    sleep: (ms) => junos.advance(Math.ceil(ms)),
    verifyDelayMs: 1000,
    connectDevice: connect,
    kmeClientFor: kmeClient,
  });

  try {
    const ti = performance.now();
    const init = await rotator.init();
    if (init.errors.length) throw new Error(`init failed: ${init.errors.slice(0, 3).join('; ')}`);
    const initMs = performance.now() - ti;
    const since = junos.now();

    const cycles: number[] = [];
    for (let c = 0; c < CYCLES; c++) {
      const tc = performance.now();
      const report = await rotator.rotate();
      cycles.push(performance.now() - tc);
      const failed = report.links.filter((l) => l.result !== 'ok');
      if (failed.length) throw new Error(`${failed.length} links failed, e.g. ${failed[0]!.link}: ${failed[0]!.error?.message}`);
    }
    const drops = (await junos.downIntervalsSince(since)).length;

    // The floor, in the same run, on an idle fleet: one link's KME round trips (enc_keys, then
    // dec_keys) and one device's commit (load + commit confirmed, then confirm) on a warm session.
    const a = kmeClient('SAE_A');
    const b = kmeClient('SAE_B');
    await a.getStatus('SAE_B'); // warm the TLS connections, as the engine's are
    await b.getStatus('SAE_A');
    const tk = performance.now();
    const { keys } = await a.getKey('SAE_B', { number: 1, size: 256 });
    const got = await b.getKeyWithIds('SAE_A', [keys[0]!.keyId]);
    const kmeMs = performance.now() - tk;
    keys[0]!.wipe();
    got.keys[0]!.wipe();
    await Promise.all([a.close(), b.close()]);
    const dev = await connect('d1');
    const tc1 = performance.now();
    await dev.withConfiguration('exclusive', async (d) => {
      await d.load({ format: 'set', config: 'set system host-name bench-floor' });
      await d.commit({ confirmed: true, confirmTimeout: 5 });
    });
    const commitMs = performance.now() - tc1;
    const tc2 = performance.now();
    await dev.withConfiguration('exclusive', (d) => d.confirm());
    const confirmMs = performance.now() - tc2;
    await dev.close();

    const cycleMs = Math.min(...cycles);
    const floor1 = commitMs + kmeMs;
    const floor2 = commitMs + confirmMs + kmeMs;
    console.log(`fleet rotation cycle: ${LINKS} links, ${devices.length} devices (sim-junos in ${workers} thread${workers > 1 ? 's' : ''}), commit latency ${LATENCY} ms, concurrency ${config.rotation.concurrency}`);
    console.log(`  simulators up                  ${fmt(setupMs)}`);
    console.log(`  init (SSH sessions + 1st keys) ${fmt(initMs)}`);
    console.log(`  cycle wall time                ${cycles.map(fmt).join(', ')}  (best ${fmt(cycleMs)})`);
    console.log(`  floor: 1 commit + KME          ${fmt(floor1)}  (commit ${fmt(commitMs)}, KME enc+dec ${(kmeMs).toFixed(1)} ms)`);
    console.log(`  floor: 2 commits + KME         ${fmt(floor2)}  (confirm ${fmt(confirmMs)})`);
    console.log(`  ratio cycle / 1-commit floor   ${(cycleMs / floor1).toFixed(2)}`);
    console.log(`  ratio cycle / 2-commit floor   ${(cycleMs / floor2).toFixed(2)}`);
    console.log(`  link down intervals            ${drops}`);
    console.log(`  field-script style (sequential) would need ~${fmt(devices.length * 2 * LATENCY)} of commits alone`);
  } finally {
    await rotator.close();
    await Promise.allSettled([kme.close(), junos.close()]);
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
