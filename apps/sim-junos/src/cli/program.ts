// The sim-junos command line. runCli() resolves to the exit code (0 ok, 1 failed while running, 2
// command line or topology wrong: the CLI kit's) and never calls process.exit itself.
import { LOG_LEVELS, packageVersion, processIo, runProgram, UsageError, type CliIo } from '@qkd-macsec/cli-kit';
import { Command, Option } from 'commander';
import { SimConfigError } from '../config.js';
import { PASSWORD_ENV, PASSWORD_ON_ARGV } from './password.js';
import { runCommand, type RunOptions } from './run-command.js';
import { hostPort, port, positiveInt } from './topology.js';

function buildProgram(io: CliIo): Command {
  return new Command()
    .name('sim-junos')
    .description('Simulated Junos routers (SSH + NETCONF + SFTP) joined by simulated MACsec links')
    .version(packageVersion('@qkd-macsec/sim-junos', import.meta.url))
    .option('-c, --config <file>', 'topology file (YAML or JSON); default: r1 and r2 joined by one secured link')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port-base <port>', 'first device port (the next devices take the following ports); 0 = ephemeral', port)
    .option('--shared-port <port>', 'also listen on one port where the login "user@device" picks the device', port)
    .option('--password-file <file>', `password of every device without one, read from FILE (or set ${PASSWORD_ENV}; default: generated into a 0600 file whose path is printed)`)
    // Refused with a message saying what to use instead, never echoing the value.
    .addOption(new Option('--password [password]').hideHelp())
    .option('--netconf11', 'offer NETCONF base:1.1 (chunked framing) on every device')
    .option('--admin <host:port>', 'admin endpoint (HTTP, loopback only) to change faults while running (default 127.0.0.1:0)', hostPort)
    .option('--no-admin', 'no admin endpoint')
    .option('--key-log <file>', 'append every CAK/secret committed to a device to FILE (JSON lines, 0600) — KEY MATERIAL, for leak scanners only')
    .option('--confirm-minute-ms <ms>', 'how long one minute of a commit confirmed timeout lasts (default 60000; an accelerator for chaos runs)', positiveInt)
    .addOption(new Option('--log-format <format>', 'log lines on stderr: pretty (coloured on a terminal unless NO_COLOR) or json').choices(['pretty', 'json']))
    .addOption(new Option('--log-level <level>', 'lowest level logged (default info)').choices([...LOG_LEVELS]))
    .option('-q, --quiet', 'log errors only (--log-level error)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 failed while running (e.g. a port in use), 2 bad command line or configuration.')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action((opts: RunOptions) => {
      if (opts.password !== undefined) throw new UsageError(PASSWORD_ON_ARGV);
      return runCommand(opts, io.stdout, io.stderr);
    });
}

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  return runProgram(buildProgram(io), argv, { name: 'sim-junos', io, configuration: [SimConfigError] });
}
