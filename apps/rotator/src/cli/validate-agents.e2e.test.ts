import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSitesBench, type SitesBench } from '../agent/simulated-sites.js';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let bench: SitesBench;
beforeAll(async () => {
  bench = await startSitesBench({ sites: { dc1: { devices: ['r1'] }, dc2: { devices: ['r2'] } }, links: [['l1', 'r1:et-0/0/0', 'r2:et-0/0/0']] });
}, 60_000);
afterAll(async () => bench?.close());

it('validate --connect through real agents', async () => {
  const site = (name: string) => {
    const s = bench.sites[name]!;
    return `  ${name}:\n    agent: { url: "${s.agent.url}", ca: ${s.agent.caFile}, cert: ${s.agent.certFile}, key: ${s.agent.keyFile}${s.agent.fingerprints.length ? `, fingerprint: "${s.agent.fingerprints[0]}"` : ''} }\n    saes: [${s.saes.join(', ')}]\n    devices: { ${Object.values(s.devices).map((d) => `${d.name}: { sae: ${d.sae} }`).join(', ')} }\n`;
  };
  const file = join(bench.dir, 'coordinator.yaml');
  writeFileSync(file, `sites:\n${site('dc1')}${site('dc2')}links:\n  - { name: l1, master: { device: r1, interfaces: [et-0/0/0] }, slaves: [ { device: r2, interfaces: [et-0/0/0] } ] }\n`);
  const io = capturedIo();
  const code = await runCli(['-c', file, '--log-level', 'error', 'validate', '--connect'], { io });
  console.log(io.out(), io.err());
  expect(code).toBe(0);
  await bench.stopAgent('dc2');
  const io2 = capturedIo();
  expect(await runCli(['-c', file, '--log-level', 'fatal', 'validate', '--connect'], { io: io2 })).toBe(1);
  console.log(io2.out());
}, 60_000);
