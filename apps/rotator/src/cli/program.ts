// The commander program: global options, every command, exit codes. runCli() is what the bin
// runs and what the tests call in-process with captured streams.
import { Command, Option } from 'commander';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../log/index.js';
import { exitCodeOf, isCommanderExit } from '@qkd-macsec/cli-kit';
import { CliExit, type CliDeps, type GlobalOptions } from './context.js';
import { describeFailure } from './failure.js';
import { line } from './io.js';
import { registerAgent } from './registrations/agent.js';
import { registerCerts } from './registrations/certs.js';
import type { CommandContext } from './registrations/command-context.js';
import { registerDemo } from './registrations/demo.js';
import { registerInit } from './registrations/init.js';
import { registerRotate } from './registrations/rotate.js';
import { registerRun } from './registrations/run.js';
import { registerStatus } from './registrations/status.js';
import { registerValidate } from './registrations/validate.js';
import { packageVersion } from './version.js';

// Each command's options and action: registrations/, one module a command.
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
  recordCommandRun(program, deps);
  const context: CommandContext = { deps, global, run: async (fn) => setExit(await fn()) };
  for (const register of [registerValidate, registerInit, registerRotate, registerRun, registerAgent, registerStatus, registerCerts, registerDemo]) register(program, context);
  return program;
}

/** Before an action runs: which command it is into deps (the state lock's holder record says `certs renew`, not `renew`), and its --json and --wait-lock. */
function recordCommandRun(program: Command, deps: CliDeps): void {
  program.hook('preAction', (_, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c !== null && c !== program; c = c.parent) names.unshift(c.name());
    deps.command = names.join(' ');
    deps.json = action.opts<{ json?: boolean }>().json === true;
    deps.waitLock = program.opts<{ waitLock?: boolean }>().waitLock === true;
  });
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
    // help and --version exit 0; a usage error, which commander has printed, exits 2
    if (isCommanderExit(err)) return exitCodeOf(err);
    const failure = describeFailure(err);
    if (commandDeps.json === true) line(deps.io.stdout, JSON.stringify(failure.json, null, 2));
    else for (const l of failure.lines) line(deps.io.stderr, l);
    return failure.code;
  }
}
