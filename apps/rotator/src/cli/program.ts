// The commander program: global options, every command, exit codes. runCli() is what the bin
// runs and what the tests call in-process with captured streams.
import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../log/index.js';
import { agentCommand } from './commands/agent.js';
import { certsCheckCommand, certsRenewCommand } from './commands/certs.js';
import { certsCaCommand, certsIssueCommand, type CaOptions, type IssueOptions } from './commands/certs-issue.js';
import { demoCommand } from './commands/demo.js';
import { initCommand } from './commands/init.js';
import { rotateCommand } from './commands/rotate.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { CliExit, EXIT_USAGE, type CliDeps, type GlobalOptions } from './context.js';
import { describeFailure } from './failure.js';
import { line } from './io.js';
import { packageVersion } from './version.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1');
  return n;
}
const collect = (value: string, previous: string[] = []) => [...previous, value];

function buildProgram(deps: CliDeps, setExit: (code: number) => void): Command {
  const { io } = deps;
  const program = new Command('qkd-macsec')
    .description('Quantum-keyed MACsec for Junos: QKD keys (ETSI GS QKD 014) installed and rotated as MACsec CAKs over NETCONF, without dropping a link.')
    .version(packageVersion())
    .addOption(new Option('-c, --config <file>', 'config file (YAML or JSON); env QKD_MACSEC_CONFIG').default(io.env.QKD_MACSEC_CONFIG ?? 'qkd-macsec.yaml'))
    .addOption(new Option('--log-format <format>', 'log lines on stderr').choices(['pretty', 'json']).default('pretty'))
    .addOption(new Option('--log-level <level>', 'lowest level logged').choices([...LOG_LEVELS]))
    .option('--wait-lock', 'when another qkd-macsec writes the state directory, wait for it instead of exiting 3')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const global = (): GlobalOptions & { logLevelGiven: boolean } => {
    const o = program.opts<{ config: string; logFormat: LogFormat; logLevel?: LogLevel; waitLock?: boolean }>();
    return { config: o.config, logFormat: o.logFormat, logLevel: o.logLevel ?? 'info', logLevelGiven: o.logLevel !== undefined, waitLock: o.waitLock === true };
  };
  // The command's name goes into the state lock's holder record (`certs renew`, not `renew`).
  program.hook('preAction', (_, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c !== null && c !== program; c = c.parent) names.unshift(c.name());
    deps.command = names.join(' ');
    deps.json = action.opts<{ json?: boolean }>().json === true;
    deps.waitLock = program.opts<{ waitLock?: boolean }>().waitLock === true;
  });
  const run = (fn: () => Promise<number>) => async () => setExit(await fn());

  program
    .command('validate')
    .description('check the config file; with --connect also reach every KME and device')
    .option('--connect', 'ask each KME for the status of every SAE pair, and each device for its facts')
    .option('--json', 'machine-readable output')
    .action((o: { connect?: boolean; json?: boolean }) => run(() => validateCommand(deps, global(), o))());

  program
    .command('init')
    .description('apply the initial MACsec configuration on every device, idempotently, and give each link its first key')
    .option('--dry-run', 'show the diff per device without committing')
    .option('--json', 'machine-readable output')
    .option('--remove-field-script', "also remove what the field script left: its event-options, event-script entries, script user and unused connectivity associations")
    .action((o: { dryRun?: boolean; json?: boolean; removeFieldScript?: boolean }) => run(() => initCommand(deps, global(), o))());

  program
    .command('rotate')
    .description('one rotation cycle for every link, or the named ones')
    .option('--link <name>', 'rotate this link (repeatable)', collect)
    .option('--dry-run', 'fetch nothing, change nothing: show what would be done')
    .option('--json', 'the cycle report as JSON on stdout')
    .option('--no-wait', 'return once every end is confirmed, without waiting for the start-time (the daemon or the next run verifies)')
    .action((o: { link?: string[]; dryRun?: boolean; json?: boolean; wait?: boolean }) => run(() => rotateCommand(deps, global(), { ...o, noWait: o.wait === false }))());

  program
    .command('run')
    .description('the daemon: rotate on the interval, check certificates, serve /healthz and /metrics; stops on SIGTERM/SIGINT')
    .option('--listen <host:port>', 'metrics and health endpoint (overrides metrics.listen)')
    .option('--cycles <n>', 'stop after n cycles', positiveInt)
    .action((o: { listen?: string; cycles?: number }) => run(() => runCommand(deps, global(), o))());

  program
    .command('agent')
    .description('the site agent: talks to this site\'s KMEs and devices, serves the coordinator over mutual TLS (--config agent.yaml); stops on SIGTERM/SIGINT')
    .action(() => run(() => agentCommand(deps, global()))());

  program
    .command('status')
    .description('per link: key_ID, age, MKA state read live from every end, next rotation')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => run(() => statusCommand(deps, global(), o))());

  const certs = program.command('certs').description('SAE client certificates, and the coordinator/agent certificates (through cert-lcm)');
  certs
    .command('check')
    .description('days left and problems per SAE certificate; exit 1 if any must be renewed now')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => run(() => certsCheckCommand(deps, global(), o))());
  certs
    .command('renew')
    .description('renew due certificates: with certificates.localCa signed locally and proven against the KME; otherwise a CSR and instructions')
    .option('--sae <id>', 'renew this SAE certificate even if not due (repeatable)', collect)
    .option('--force', 'renew every SAE certificate, due or not')
    .action((o: { sae?: string[]; force?: boolean }) => run(() => certsRenewCommand(deps, global(), o))());
  certs
    .command('ca')
    .description('make a local CA (ca.pem, ca-key.pem 0600) to sign the agent and coordinator certificates')
    .requiredOption('--out <dir>', 'directory to write to')
    .option('--cn <name>', 'its common name', 'qkd-macsec agents CA')
    .option('--days <n>', 'validity in days', positiveInt, 3650)
    .option('--force', 'replace existing files')
    .action((o: CaOptions) => run(() => certsCaCommand(deps, o))());
  certs
    .command('issue')
    .description('issue a site agent\'s server certificate or the coordinator\'s client certificate (mutual TLS between them); prints its SHA-256 pin')
    .addArgument(new Argument('<role>', 'agent or coordinator').choices(['agent', 'coordinator']))
    .argument('[site]', "the agent's site (role agent)")
    .requiredOption('--out <dir>', 'directory to write <name>.pem and <name>-key.pem (0600) to')
    .option('--host <name>', "a DNS name or IP address the coordinator reaches the agent by (repeatable; role agent)", collect)
    .option('--cn <name>', 'common name (default agent-SITE or coordinator)')
    .option('--days <n>', 'validity in days', positiveInt, 365)
    .option('--ca-cert <file>', 'the CA certificate to sign with (default certificates.localCa of the config)')
    .option('--ca-key <file>', "that CA's private key")
    .option('--force', 'replace existing files')
    .action((role: 'agent' | 'coordinator', site: string | undefined, o: IssueOptions) => run(() => certsIssueCommand(deps, global(), role, site, o))());

  program
    .command('demo')
    .description('start simulated KMEs and routers in-process, run init and several rotations, show that no link dropped')
    .option('--rotations <n>', 'rotations to run', positiveInt, 3)
    .option('--keep', 'keep the temp dir with the generated config, PKI and state')
    .option('--sites', 'three sites, each with its own KME, routers and site agent; a coordinator that holds no key')
    .action((o: { rotations: number; keep?: boolean; sites?: boolean }) => run(() => demoCommand(deps, global(), o))());

  return program;
}

/** Runs the CLI; resolves to the exit code. Never calls process.exit. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let code = 0;
  // A copy: the program records the command being run in it.
  const commandDeps: CliDeps = { ...deps };
  const program = buildProgram(commandDeps, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CliExit) return err.code;
    const e = err as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const failure = describeFailure(err);
    if (commandDeps.json === true) line(deps.io.stdout, JSON.stringify(failure.json, null, 2));
    else for (const l of failure.lines) line(deps.io.stderr, l);
    return failure.code;
  }
}
