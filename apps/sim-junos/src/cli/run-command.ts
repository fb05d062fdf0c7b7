// `sim-junos`: start the simulated routers, print how to reach them, run until SIGINT/SIGTERM.
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import { renderLinkTable } from '../link-table.js';
import { startSimJunos } from '../sim-junos.js';
import type { SimJunos } from '../sim-types.js';
import type { SimConfigFile } from '../config.js';
import { cliPassword } from './password.js';
import { topologyOf, type TopologyOptions } from './topology.js';

export interface RunOptions extends TopologyOptions {
  passwordFile?: string;
  /** Set only when someone still passes it: refused. */
  password?: string | true;
  quiet?: boolean;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

type Print = (text: string) => void;

export async function runCommand(opts: RunOptions, print: Print, warn: Print): Promise<void> {
  const given = cliPassword(opts.passwordFile);
  const cfg = topologyOf(opts);
  if (cfg.keyLog !== undefined) warn(`sim-junos: WARNING: key log on — every CAK and key-chain secret committed to a device is written to ${cfg.keyLog}\n`);
  const logger = createLogger({ level: opts.logLevel ?? (opts.quiet ? 'error' : 'info'), format: opts.logFormat ?? 'pretty' });
  const passwordShown = passwordLabels(cfg, given?.from);
  if (given) for (const d of Object.values(cfg.devices)) d.password ??= given.password;
  const sim = await startSimJunos({ ...cfg, logger });
  const stop = () => {
    print(`Links at stop:\n${linkTable(sim)}\n`);
    void sim.close().then(() => process.exit(0));
  };
  // Before the banner: whoever reads it may signal at once, and an unhandled SIGTERM kills.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  print(`${startBanner(sim, passwordShown).join('\n')}\n`);
}

/**
 * What the banner says of each device's password (before the CLI's own is applied): a generated
 * one is shown (nobody could log in otherwise); one the user gave is not repeated on stdout,
 * which supervisors keep in files.
 */
function passwordLabels(cfg: SimConfigFile, from: string | undefined): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(cfg.devices).map(([name, d]) => [name, d.password !== undefined ? '(from the config file)' : from !== undefined ? `(from ${from})` : undefined]),
  );
}

function linkTable(sim: SimJunos): string {
  return renderLinkTable(Object.keys(sim.links).map((id) => ({ status: sim.linkStatus(id), history: sim.linkHistory(id) })));
}

function startBanner(sim: SimJunos, passwordShown: Record<string, string | undefined>): string[] {
  const out: string[] = ['sim-junos is running. Devices:'];
  for (const d of Object.values(sim.devices)) {
    out.push(
      `  ${d.name}  port ${d.port}  user ${d.username}  password ${passwordShown[d.name] ?? d.password}`,
      `      host key ${d.hostKeyFingerprint}`,
      `      ssh -s -p ${d.port} ${d.username}@${d.host} netconf`,
    );
  }
  if (sim.adminUrl !== undefined) out.push(`admin: ${sim.adminUrl}`);
  if (sim.confirmMinuteMs !== 60_000) out.push(`commit confirmed: one minute lasts ${sim.confirmMinuteMs} ms`);
  if (sim.sharedPort !== undefined) out.push(`  shared port ${sim.sharedPort} (log in as USER@DEVICE), host key ${sim.sharedHostKeyFingerprint}`);
  out.push('Links:', linkTable(sim));
  out.push('Ask a device for link history over NETCONF with <get-link-down-intervals/>. Ctrl-C stops.');
  return out;
}
