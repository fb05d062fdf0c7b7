// validate --connect, init, rotate --dry-run, status and certs check|renew through the CLI, with the
// real engine, against the simulators (mTLS, SSH) of the demo world.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeCertificate } from '@qkd-macsec/cert-lcm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createHeldSecrets, createLogger, redactHeld } from '../log/index.js';
import { createMetrics } from '../metrics/index.js';
import { kmeClientFactory } from '../fleet/connectors.js';
import { startDemoWorld, type DemoWorld } from './demo/run-demo.js';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let world: DemoWorld;
beforeAll(async () => {
  world = await startDemoWorld();
}, 60_000);
afterAll(async () => {
  await world?.close();
});

describe('validate --connect', () => {
  it('reaches every KME for every SAE pair and every device, and says so', async () => {
    const io = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'error', 'validate', '--connect'], { io })).toBe(0);
    const out = io.out();
    expect(out).toContain('is valid: 3 KMEs, 4 SAEs, 4 devices, 3 links (1 group)');
    for (const pair of ['KME_A SAE_A -> SAE_B', 'KME_B SAE_B -> SAE_A', 'KME_B SAE_B -> SAE_D', 'KME_C SAE_D -> SAE_B', 'KME_A SAE_A -> SAE_C', 'KME_A SAE_A -> SAE_D', 'KME_B SAE_C -> SAE_A', 'KME_C SAE_D -> SAE_A']) {
      expect(out).toMatch(new RegExp(`kme +${pair} +ok +\\d+ ms +stored \\d+/\\d+ keys of 256 bits`));
    }
    for (const d of ['r1', 'r2', 'r3', 'r4']) expect(out).toMatch(new RegExp(`device +${d} \\(127\\.0\\.0\\.1:\\d+\\) +ok .*mx204 Junos 23\\.4R1\\.10, host key SHA256:\\S+, platform mx \\(model mx204\\)`));
    expect(out).toContain('all 12 checks passed');
  });

  it('reports what does not work — a device refusing the login, a KME answering 503 — and exits 1', async () => {
    world.junos.setFaults('r3', { authFailure: true });
    world.kme.setFaults({ unavailableRate: 1 }, 'KME_C');
    try {
      const io = capturedIo();
      expect(await runCli(['-c', world.configFile, '--log-level', 'fatal', 'validate', '--connect', '--json'], { io })).toBe(1);
      const report = JSON.parse(io.out()) as { probes: Array<{ kind: string; target: string; ok: boolean; detail: string }> };
      const failed = report.probes.filter((p) => !p.ok);
      expect(failed.map((p) => p.target).sort()).toEqual(['KME_C SAE_D -> SAE_A', 'KME_C SAE_D -> SAE_B', expect.stringMatching(/^r3 \(127\.0\.0\.1:\d+\)$/)].sort());
      expect(failed.find((p) => p.kind === 'device')?.detail).toMatch(/auth/i);
      expect(failed.find((p) => p.kind === 'kme')?.detail).toMatch(/503/);
    } finally {
      world.junos.setFaults('r3', {});
      world.kme.setFaults(undefined, 'KME_C');
    }
  });
});

describe('init, rotate --dry-run and status with the engine', () => {
  it('init shows then applies the changes, is idempotent, and leaves every link secured', async () => {
    const dry = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'warn', 'init', '--dry-run'], { io: dry })).toBe(0);
    expect(dry.out()).toMatch(/r1 +mx \(model mx204\) +- +11 +would apply/);
    expect(dry.out()).toContain('dry run: nothing committed');
    expect(world.junos.linkStatus('dc1-dc2').state).toBe('down');

    const apply = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'warn', 'init'], { io: apply })).toBe(0);
    expect(apply.out()).toMatch(/r1 +mx \(model mx204\) +- +11 +applied/);
    expect(apply.out()).toMatch(/first keys:\n  dc1-dc2: key_ID [0-9a-f-]{36}/);

    const again = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'warn', 'init'], { io: again })).toBe(0);
    expect(again.out()).toContain('every device was already configured; nothing changed');

    const status = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'warn', 'status'], { io: status })).toBe(0);
    expect(status.out()).toMatch(/dc1-edge +yes +[0-9a-f-]{36} .*r1 et-0\/0\/1 Secured - Primary, r1 et-0\/0\/2 Secured - Primary; r3 et-0\/0\/0 Secured - Primary; r4 et-0\/0\/1 Secured - Primary/);
    expect(status.out()).toContain('all 3 links secured');
    for (const c of world.cables) expect(world.junos.linkStatus(c.id).state).toBe('secured');
  });

  it('rotate --dry-run plans a slot per device and changes nothing', async () => {
    const before = world.junos.device('r1').history().length;
    const io = capturedIo();
    expect(await runCli(['-c', world.configFile, '--log-level', 'warn', 'rotate', '--dry-run', '--link', 'dc1-edge'], { io })).toBe(0);
    expect(io.out()).toMatch(/dc1-edge +would rotate +- +r1,r3,r4/);
    expect(io.out()).toContain('  dc1-edge r3: new key in slot 1');
    expect(io.out()).toContain('dry run: nothing fetched or changed; 1 ok, 0 failed');
    expect(world.junos.device('r1').history().length).toBe(before);
  });
});

describe('KME clients from the config', () => {
  it('register every key they receive with the log guard and time each request', async () => {
    const config = await loadConfig(world.configFile);
    const held = createHeldSecrets();
    const metrics = createMetrics();
    const logger = createLogger({ level: 'fatal' });
    const master = kmeClientFactory(config, { logger, held, metrics })('SAE_A');
    const slave = kmeClientFactory(config, { logger, held, metrics })('SAE_B');
    try {
      const { keys } = await master.getKey('SAE_B', { size: 256 });
      const key = keys[0]!;
      const hex = Buffer.from(key.bytes).toString('hex');
      expect(held.has(hex)).toBe(true);
      expect(redactHeld(`oops ${hex} ${Buffer.from(key.bytes).toString('base64')}`, held)).toBe('oops [redacted] [redacted]');
      await slave.getKeyWithIds('SAE_A', [key.keyId]);
      const text = await metrics.render();
      expect(text).toContain('qkd_macsec_kme_request_duration_seconds_count{kme="KME_A",operation="enc_keys"} 1');
      expect(text).toContain('qkd_macsec_kme_request_duration_seconds_count{kme="KME_B",operation="dec_keys"} 1');
    } finally {
      await master.close();
      await slave.close();
    }
  });
});

describe('certs', () => {
  it('check: every SAE certificate with days left; exit 0 while none is due', async () => {
    const io = capturedIo();
    expect(await runCli(['-c', world.configFile, 'certs', 'check'], { io })).toBe(0);
    for (const sae of ['SAE_A', 'SAE_B', 'SAE_C', 'SAE_D']) expect(io.out()).toMatch(new RegExp(`${sae} +36[45](\\.\\d)? +\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z +ok`));
    expect(io.out()).toContain('all 4 certificates fine for now');
  });

  it('check: a policy margin longer than the validity makes every certificate due now (exit 1)', async () => {
    const file = join(world.dir, 'long-margin.yaml');
    writeFileSync(file, readFileSync(world.configFile, 'utf8').replace('renewBeforeDays: 30', 'renewBeforeDays: 400'));
    const io = capturedIo();
    expect(await runCli(['-c', file, 'certs', 'check', '--json'], { io })).toBe(1);
    const { certificates } = JSON.parse(io.out()) as { certificates: Array<{ sae: string; action: string; problems: string[] }> };
    expect(certificates.map((c) => c.action)).toEqual(['renew-now', 'renew-now', 'renew-now', 'renew-now']);
    expect(certificates[0]?.problems.join()).toMatch(/within the 400-day renewal margin/);
  });

  it('renew without a local CA writes a CSR and the new key (0600) and explains the next step', async () => {
    const io = capturedIo();
    expect(await runCli(['-c', world.configFile, 'certs', 'renew', '--sae', 'SAE_D'], { io })).toBe(0);
    const cert = join(world.dir, 'pki/saes/SAE_D.crt');
    expect(io.out()).toContain(`SAE_D: no certificates.localCa in the config: wrote a CSR to ${cert}.csr`);
    expect(readFileSync(`${cert}.csr`, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----/);
    expect(existsSync(join(world.dir, 'pki/saes/SAE_D.key.next'))).toBe(true);
    expect(io.out()).not.toContain('PRIVATE KEY');
  });

  it('renew with the local CA: new certificate on disk, accepted by the KME over mTLS, then confirmed', async () => {
    const file = join(world.dir, 'with-ca.yaml');
    writeFileSync(
      file,
      readFileSync(world.configFile, 'utf8').replace('certificates: { renewBeforeDays: 30, checkIntervalHours: 24 }', 'certificates: { renewBeforeDays: 30, checkIntervalHours: 24, localCa: { cert: ./pki/ca.crt, key: ./pki/ca.key } }'),
    );
    const certPath = join(world.dir, 'pki/saes/SAE_B.crt');
    const before = describeCertificate(readFileSync(certPath, 'utf8')).serial;
    const io = capturedIo();
    expect(await runCli(['-c', file, '--log-level', 'error', 'certs', 'renew', '--sae', 'SAE_B'], { io })).toBe(0);
    const after = describeCertificate(readFileSync(certPath, 'utf8')).serial;
    expect(after).not.toBe(before);
    expect(io.out()).toMatch(new RegExp(`SAE_B: renewed: serial ${after}, valid until .*, accepted by KME KME_B \\(was serial ${before}\\)`));
    expect(existsSync(`${certPath}.prev`)).toBe(false);
    // The renewed pair still works end to end.
    const check = capturedIo();
    expect(await runCli(['-c', file, '--log-level', 'error', 'validate', '--connect'], { io: check })).toBe(0);
  });
});
