// The sim-kme command line: `pki --out DIR` writes a ready-made mTLS setup, `serve` runs the KMEs.
// runCli() resolves to the exit code (0 ok, 1 failed while running, 2 command line or configuration
// wrong: the CLI kit's) and never calls process.exit itself.
import { CertLcmError } from '@qkd-macsec/cert-lcm';
import { LOG_LEVELS, packageVersion, processIo, runProgram, type CliIo } from '@qkd-macsec/cli-kit';
import { Command, Option } from 'commander';
import { SimKmeConfigError } from '../config.js';
import { SimPkiError } from '../pki.js';
import { pkiCommand, type PkiOptions } from './pki-command.js';
import { parseHostPort } from './serve-config.js';
import { serveCommand, type ServeOptions } from './serve-command.js';

function buildProgram(io: CliIo): Command {
  const print = (line: string) => io.stdout(`${line}\n`);
  const warn = (line: string) => io.stderr(`${line}\n`);
  const program = new Command()
    .name('sim-kme')
    .description('ETSI GS QKD 014 v1.1.1 KME simulator: HTTPS + mutual TLS, simulated QKD links')
    .version(packageVersion('@qkd-macsec/sim-kme', import.meta.url))
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('pki')
    .description('create a CA, a server certificate per KME and a client certificate per SAE')
    .requiredOption('--out <dir>', 'directory to write the PKI to')
    .option('--config <file>', 'take the KME and SAE IDs from this config file (default: KME_A/SAE_A, KME_B/SAE_B)')
    .option('--force', 'replace an existing PKI in the directory', false)
    .action((opts: PkiOptions) => pkiCommand(opts, print));

  program
    .command('serve')
    .description('run the KMEs of a config file (default: KME_A on :8443 with SAE_A, KME_B on :8444 with SAE_B)')
    .option('--config <file>', 'YAML or JSON configuration')
    .option('--pki <dir>', 'PKI directory written by `sim-kme pki` when the config names none', './pki')
    .option('--kme <ids...>', 'serve only these KMEs; linked KMEs left out are reached at their configured port (one KME per process)')
    .addOption(new Option('--log-format <format>', 'log lines on stderr: pretty (coloured on a terminal unless NO_COLOR) or json').choices(['pretty', 'json']))
    .addOption(new Option('--log-level <level>', 'lowest level logged').choices([...LOG_LEVELS]))
    .option('--admin <host:port>', "fault admin endpoint, plain HTTP, loopback only (default: the config's admin, else 127.0.0.1:0)", parseHostPort)
    .option('--no-admin', 'no fault admin endpoint')
    .option('--key-log <file>', 'TESTS ONLY: append every key handed out to FILE (JSON lines, mode 0600) for leak scanners')
    .action((opts: ServeOptions) => serveCommand(opts, print, warn));

  program.addHelpText('after', '\nExit codes: 0 ok, 1 failed while running (e.g. a port in use), 2 bad command line or configuration.');
  return program;
}

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  // The PKI files and the certificates a config file names are configuration too.
  return runProgram(buildProgram(io), argv, { name: 'sim-kme', io, configuration: [SimKmeConfigError, SimPkiError, CertLcmError] });
}
