import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgent } from '../../agent/client/index.js';
import { startSitesBench, type SitesBench } from '../../agent/simulated-sites.js';
import { runCli } from '../program.js';
import { capturedIo } from '../testing/capture.js';

let bench: SitesBench;
beforeAll(async () => {
  bench = await startSitesBench({ sites: { dc1: { devices: ['r1'] } }, links: [] });
}, 60_000);
afterAll(() => bench?.close());

describe('qkd-macsec agent', () => {
  it('starts from agent.yaml, prints its URL, serves the coordinator, and stops on SIGTERM with exit 0', async () => {
    const io = capturedIo({ env: { PW_r1: bench.junos.devices.r1!.password } });
    const exit = runCli(['agent', '--config', join(bench.dir, 'agent-dc1.yaml'), '--log-format', 'json'], { io });
    let url: string | undefined;
    for (let i = 0; i < 200 && url === undefined; i++) {
      url = /agent dc1 on (https:\/\/\S+)/.exec(io.out())?.[1];
      if (url === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    expect(url, io.err()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const check = await checkAgent({ ...bench.sites.dc1!, agent: { ...bench.sites.dc1!.agent, url: url! } }, { logger: { warn: () => undefined, debug: () => undefined } });
    expect(check).toMatchObject({ site: 'dc1', ok: true, devices: [{ device: 'r1', ok: true }] });
    io.signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(io.err()).toContain('stopping (SIGTERM)');
    // The device password never reaches a log line.
    expect(io.err()).not.toContain(bench.junos.devices.r1!.password);
  });

  it('exits 2 on a bad agent.yaml, naming the file, the path and the problem', async () => {
    const file = join(bench.dir, 'bad-agent.yaml');
    await writeFile(file, 'site: dc1\nlisten: nowhere\n');
    const io = capturedIo();
    expect(await runCli(['agent', '--config', file], { io })).toBe(2);
    expect(io.err()).toContain(`agent config ${file}`);
    expect(io.err()).toContain('listen: listen must be HOST:PORT');
    expect(io.err()).toContain('tls: is required');
  });
});
