// `qkd-macsec demo --sites` as a user runs it: a child process (src/cli.ts under tsx), exit 0, the
// rotations, the links table with every cable secured and 0 ms down, and the "who held which
// key material" table — the coordinator 0, each agent exactly what its site's KME handed out.
// Then every key the KMEs handed out (from the kept sim-kme key log) and every CAK committed (the
// sim-junos key log, with its `$9$`) is searched for in the child's stdout and stderr: none.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readNeedles, scanAll } from './demo/who-held.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli.ts');
const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** The rows of the table under `== title`, as cell arrays (split on runs of 2+ spaces). */
function table(out: string, title: string): string[][] {
  const at = out.indexOf(`== ${title}`);
  expect(at, `no table "${title}" in:\n${out}`).toBeGreaterThanOrEqual(0);
  const lines = out.slice(at).split('\n').slice(1);
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '');
  return lines.slice(2, end).map((l) => l.trim().split(/ {2,}/));
}

describe('qkd-macsec demo --sites', () => {
  it('rotates with 0 ms down over three sites, counts who held which key (the coordinator: none), and prints no key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rotator-demo-sites-'));
    roots.push(root);
    // --keep and a TMPDIR of our own: the kept dir holds the simulators' key logs, the needles.
    const { code, out, err } = await run(['demo', '--sites', '--keep', '--log-level', 'debug', '--log-format', 'json'], { TMPDIR: root });
    expect(code, `${out}\n${err}`).toBe(0);
    expect(out).toContain('all links secured; 3 rotations without a moment of link drop; the coordinator held no key');
    for (const i of [1, 2, 3]) expect(out).toContain(`== rotation ${i} of 3 ==`);
    expect(out.match(/^3 ok, 0 failed/gm)).toHaveLength(3);

    const links = table(out, 'links (from the simulator)');
    expect(links.map((r) => r[0])).toEqual(['dc1-dc2', 'dc2-dc4', 'dc1-edge', 'dc1-edge']);
    for (const r of links) expect([r[2], r[5], r[6]], r.join(' | ')).toEqual(['secured', '0 ms', '0 ms']);

    const held = Object.fromEntries(table(out, 'who held which key material').map((r) => [r[0], { keys: Number(r[1]), now: r[2] }]));
    expect(Object.keys(held)).toEqual(['coordinator', 'agent-dc1', 'agent-dc2', 'agent-dc3', 'KME-dc1', 'KME-dc2', 'KME-dc3']);
    expect(held.coordinator!.keys).toBe(0);
    for (const site of ['dc1', 'dc2', 'dc3']) {
      // Every key a site's KME handed out went to that site's agent, and nowhere else.
      expect(held[`agent-${site}`]!.keys, site).toBe(held[`KME-${site}`]!.keys);
      expect(held[`agent-${site}`]!.now, `agent-${site} holds no key after the demo`).toBe('0');
    }
    // init: 3 first + 3 fallback keys, then 3 per rotation; r1 (dc1) ends every link but dc2-dc4,
    // dc2 (r2, r3) every link, dc3 (r4) dc2-dc4 and dc1-edge.
    expect([held['KME-dc1']!.keys, held['KME-dc2']!.keys, held['KME-dc3']!.keys]).toEqual([10, 15, 10]);

    const [kept] = readdirSync(root).filter((d) => d.startsWith('agent-bench-'));
    expect(kept, `kept dir in ${root}`).toBeDefined();
    const needles = readNeedles({ kme: join(root, kept!, 'kme-keys.jsonl'), junos: join(root, kept!, 'junos-keys.jsonl') }, { cipherSuite: 'gcm-aes-256', strategy: 'sha256-keyid' });
    expect(needles.keyIds.size).toBe(15);
    expect(needles.extra.length).toBeGreaterThan(0);
    // The scan looks where the key_IDs are: stdout names them, stderr is the debug log.
    for (const keyId of needles.keyIds) expect(out + err).toContain(keyId);
    expect(err.length).toBeGreaterThan(1000);
    const scan = scanAll([['stdout', out], ['stderr', err]], [], needles);
    expect(scan.leaks).toEqual([]);
    // The same scan over the key log finds every key: the needles are right.
    const control = scanAll([], [join(root, kept!)], needles);
    expect([...needles.keyIds].filter((k) => !control.found.has(k))).toEqual([]);
  }, 180_000);
});
