// `init --remove-field-script` reaches the engine; the table names each device's platform and the
// field script found, and the artefacts are listed (the real engine: src/e2e/adopt.e2e.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { InitReport, Rotator } from './engine.js';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-init-'));
  for (const f of ['ca.crt', 'a.crt', 'a.key', 'b.crt', 'b.key']) writeFileSync(join(dir, f), 'pem');
  file = join(dir, 'qkd.yaml');
  writeFileSync(
    file,
    `kmes: { KME_A: { url: "https://127.0.0.1:1", ca: ca.crt } }
saes: { SAE_A: { kme: KME_A, cert: a.crt, key: a.key }, SAE_B: { kme: KME_A, cert: b.crt, key: b.key } }
devices:
  r1: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_A }
  r2: { host: 127.0.0.1, username: u, password: { env: PW }, hostKey: { insecureAcceptAnyHostKey: true }, sae: SAE_B, platform: ptx }
links: [ { name: L1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ], connectivityAssociation: CA_QKD, keyChain: QKD_KC } ]
`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REPORT: InitReport = {
  dryRun: true,
  devices: [
    {
      device: 'r1',
      changes: ['event-options policy qkd-rotate: remove'],
      applied: false,
      platform: { platform: 'mx', from: 'model mx204' },
      fieldScript: { version: 'v3.2', artefacts: ['event-options policy qkd-rotate (events qkd-every-minute -> qkd-macsec.py)'], removed: true },
    },
    { device: 'r2', changes: [], applied: false, platform: { platform: 'ptx', from: 'config' } },
  ],
  firstKeys: [],
  changed: true,
  errors: [],
};

it('init --remove-field-script --dry-run: the option reaches the engine; platform and field script per device', async () => {
  const seen: unknown[] = [];
  const rotator = { init: (o: unknown) => (seen.push(o), Promise.resolve(REPORT)), close: () => Promise.resolve() } as unknown as Rotator;
  const io = capturedIo({ env: { PW: 'p' } });
  expect(await runCli(['-c', file, '--log-level', 'error', 'init', '--dry-run', '--remove-field-script'], { io, createRotator: () => rotator })).toBe(0);
  expect(seen).toEqual([{ dryRun: true, removeFieldScript: true }]);
  expect(io.out()).toMatch(/r1 +mx \(model mx204\) +v3\.2, would remove +1 +would apply/);
  expect(io.out()).toMatch(/r2 +ptx \(config\) +- +0 +already right/);
  expect(io.out()).toContain('r1: found the field script (v3.2):\n  event-options policy qkd-rotate (events qkd-every-minute -> qkd-macsec.py)');

  const plain = capturedIo({ env: { PW: 'p' } });
  expect(await runCli(['-c', file, '--log-level', 'error', 'init', '--dry-run'], { io: plain, createRotator: () => rotator })).toBe(0);
  expect(seen[1]).toEqual({ dryRun: true, removeFieldScript: false });
});
