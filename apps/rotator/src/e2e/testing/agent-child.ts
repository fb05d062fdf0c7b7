// A site agent as a real `qkd-macsec agent --config agent.yaml` child process (src/cli.ts under
// tsx), started from the agent.yaml the sites bench wrote, so a test can SIGKILL it at an exact
// step of the coordinator's transaction and start it again. A restart listens on the same port
// (a copy of agent.yaml with the port fixed): the coordinator's site config keeps its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SitesBench } from '../../agent/simulated-sites.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cli.ts');

export interface AgentChild {
  site: string;
  url: string;
  pid: number;
  /** Everything the process wrote to stderr (its log) and stdout. */
  output(): string;
  alive(): boolean;
  /** SIGKILL: no clean-up, the keys in its memory are simply gone. */
  kill(): Promise<void>;
}

/**
 * Stops the bench's in-process agent of `site` (if any) and runs the site's agent as a child on
 * `port` (0: any; the bench's site URL is pointed at it). Resolves once it prints its URL.
 */
export async function startAgentChild(bench: SitesBench, site: string, port = 0): Promise<AgentChild> {
  await bench.stopAgent(site);
  const source = join(bench.dir, `agent-${site}.yaml`);
  const file = join(bench.dir, `agent-${site}-child.yaml`);
  const text = await readFile(source, 'utf8');
  await writeFile(file, text.replace(/^listen: .*$/m, `listen: "127.0.0.1:${port}"`), { mode: 0o600 });
  const env: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: '1' };
  for (const [name, d] of Object.entries(bench.junos.devices)) env[`PW_${name}`] = d.password;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI, 'agent', '--config', file, '--log-level', 'debug', '--log-format', 'json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
    if (process.env.ROTATOR_E2E_LOG) process.stderr.write(c);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent ${site} (pid ${child.pid}) printed no URL within 60 s:\n${out}`)), 60_000);
    const look = () => {
      const m = new RegExp(`agent ${site} on (https://\\S+)`).exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`agent ${site} exited before it listened:\n${out}`));
    });
  });
  bench.sites[site]!.agent.url = url;
  return {
    site,
    url,
    pid: child.pid!,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The port of an agent URL: what a restart listens on. */
export const portOf = (url: string) => Number(new URL(url).port);
