#!/usr/bin/env node
// sim-junos: start simulated Junos routers and print how to reach them. Runs until Ctrl-C.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { Logger } from 'tslog';
import { parse as parseYaml } from 'yaml';
import { renderLinkTable } from './link-table.js';
import { defaultTopology, parseSimConfig, SimConfigError, startSimJunos, type SimConfigFile } from './index.js';

const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
};

/** "HOST:PORT" (IPv6 in brackets: "[::1]:8080") for --admin. */
const hostPort = (v: string) => {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8400 (port 0: any free port)');
  return { host: (m[1] ?? m[2])!, port: port(m[3]!) };
};
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

function loadConfig(file: string): SimConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SimConfigError(`cannot read: ${(e as Error).message}`, file);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SimConfigError(`not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`, file);
  }
  parseSimConfig(data, file);
  return data as SimConfigFile;
}

interface CliOptions {
  config?: string;
  host: string;
  portBase?: number;
  sharedPort?: number;
  password?: string;
  netconf11?: boolean;
  admin?: { host: string; port: number } | false;
  keyLog?: string;
  confirmMinuteMs?: number;
  quiet?: boolean;
}

const program = new Command()
  .name('sim-junos')
  .description('Simulated Junos routers (SSH + NETCONF + SFTP) joined by simulated MACsec links')
  .option('-c, --config <file>', 'topology file (YAML or JSON); default: r1 and r2 joined by one secured link')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--port-base <port>', 'first device port (the next devices take the following ports); 0 = ephemeral', port)
  .option('--shared-port <port>', 'also listen on one port where the login "user@device" picks the device', port)
  .option('--password <password>', 'password of every device without one (default: generated)')
  .option('--netconf11', 'offer NETCONF base:1.1 (chunked framing) on every device')
  .option('--admin <host:port>', 'admin endpoint (HTTP, loopback only) to change faults while running (default 127.0.0.1:0)', hostPort)
  .option('--no-admin', 'no admin endpoint')
  .option('--key-log <file>', 'append every CAK/secret committed to a device to FILE (JSON lines, 0600) — KEY MATERIAL, for leak scanners only')
  .option('--confirm-minute-ms <ms>', 'how long one minute of a commit confirmed timeout lasts (default 60000; an accelerator for chaos runs)', positiveInt)
  .option('-q, --quiet', 'do not log sessions, commits and link changes')
  .action(async (opts: CliOptions) => {
    const cfg = opts.config ? loadConfig(opts.config) : defaultTopology();
    cfg.host = opts.host;
    if (opts.sharedPort !== undefined) cfg.sharedPort = opts.sharedPort;
    Object.values(cfg.devices).forEach((d, i) => {
      if (opts.portBase !== undefined && d.port === undefined) d.port = opts.portBase === 0 ? 0 : opts.portBase + i;
      if (opts.password !== undefined && d.password === undefined) d.password = opts.password;
      if (opts.netconf11) d.netconf11 = true;
    });
    // The admin endpoint is on by default here (an ephemeral loopback port), off with --no-admin.
    if (opts.admin === false) delete cfg.admin;
    else cfg.admin = opts.admin ?? cfg.admin ?? { host: '127.0.0.1', port: 0 };
    if (opts.keyLog !== undefined) cfg.keyLog = opts.keyLog;
    if (opts.confirmMinuteMs !== undefined) cfg.confirmMinuteMs = opts.confirmMinuteMs;
    if (cfg.keyLog !== undefined) process.stderr.write(`sim-junos: WARNING: key log on — every CAK and key-chain secret committed to a device is written to ${cfg.keyLog}\n`);
    const logger = new Logger({ name: 'sim-junos', type: 'pretty', minLevel: opts.quiet ? 5 : 3, hideLogPositionForProduction: true });
    const sim = await startSimJunos({ ...cfg, logger });
    const out: string[] = ['sim-junos is running. Devices:'];
    for (const d of Object.values(sim.devices)) {
      out.push(
        `  ${d.name}  port ${d.port}  user ${d.username}  password ${d.password}`,
        `      host key ${d.hostKeyFingerprint}`,
        `      ssh -s -p ${d.port} ${d.username}@${d.host} netconf`,
      );
    }
    if (sim.adminUrl !== undefined) out.push(`admin: ${sim.adminUrl}`);
    if (sim.confirmMinuteMs !== 60_000) out.push(`commit confirmed: one minute lasts ${sim.confirmMinuteMs} ms`);
    if (sim.sharedPort !== undefined) out.push(`  shared port ${sim.sharedPort} (log in as USER@DEVICE), host key ${sim.sharedHostKeyFingerprint}`);
    const links = () => renderLinkTable(Object.keys(sim.links).map((id) => ({ status: sim.linkStatus(id), history: sim.linkHistory(id) })));
    out.push('Links:', links());
    out.push('Ask a device for link history over NETCONF with <get-link-down-intervals/>. Ctrl-C stops.');
    const stop = () => {
      process.stdout.write(`Links at stop:\n${links()}\n`);
      void sim.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.stdout.write(out.join('\n') + '\n');
  });

program.parseAsync().catch((e: unknown) => {
  process.stderr.write(`sim-junos: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
