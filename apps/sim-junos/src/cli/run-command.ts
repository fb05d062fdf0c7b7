// `sim-junos`: start the simulated routers, print how to reach them, run until SIGINT/SIGTERM.
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import { renderLinkTable } from '../link-table.js';
import { startSimJunos } from '../sim-junos.js';
import type { SimJunos } from '../sim-types.js';
import type { SimConfigFile } from '../config.js';
import { cliPassword, generatePassword } from './password.js';
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
  const needed = Object.values(cfg.devices).some((d) => d.password === undefined);
  const generated = given === undefined && needed ? generatePassword() : undefined;
  const passwordShown = passwordLabels(cfg, given !== undefined ? `from ${given.from}` : `generated, in ${generated?.file}`);
  const password = given?.password ?? generated?.password;
  if (password !== undefined) for (const d of Object.values(cfg.devices)) d.password ??= password;
  let sim: SimJunos;
  try {
    sim = await startSimJunos({ ...cfg, logger });
  } catch (err) {
    generated?.remove();
    throw err;
  }
  const stop = () => {
    print(`Links at stop:\n${linkTable(sim)}\n`);
    void sim.close().then(() => {
      generated?.remove();
      process.exit(0);
    });
  };
  // Before the banner: whoever reads it may signal at once, and an unhandled SIGTERM kills.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  print(`${startBanner(sim, passwordShown).join('\n')}\n`);
}

/**
 * What the banner says of each device's password: where it comes from, never the password (stdout
 * ends up in supervisors' files and CI logs). A generated one is in a file whose path is shown.
 */
function passwordLabels(cfg: SimConfigFile, cli: string): Record<string, string> {
  return Object.fromEntries(Object.entries(cfg.devices).map(([name, d]) => [name, d.password !== undefined ? '(from the config file)' : `(${cli})`]));
}

function linkTable(sim: SimJunos): string {
  return renderLinkTable(Object.keys(sim.links).map((id) => ({ status: sim.linkStatus(id), history: sim.linkHistory(id) })));
}

function startBanner(sim: SimJunos, passwordShown: Record<string, string>): string[] {
  const out: string[] = ['sim-junos is running. Devices:'];
  for (const d of Object.values(sim.devices)) {
    out.push(
      `  ${d.name}  port ${d.port}  user ${d.username}  password ${passwordShown[d.name]}`,
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
