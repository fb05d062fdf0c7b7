// `certs` and its subcommands.
import { Argument, type Command } from 'commander';
import { certsCheckCommand, certsRenewCommand } from '../commands/certs.js';
import { certsCaCommand, certsIssueCommand, type CaOptions, type IssueOptions } from '../commands/certs-issue.js';
import { collect, positiveInt, type CommandContext } from './command-context.js';

export function registerCerts(program: Command, { deps, global, run }: CommandContext): void {
  const certs = program.command('certs').description('SAE client certificates, and the coordinator/agent certificates (through cert-lcm)');
  certs
    .command('check')
    .description('days left and problems per SAE certificate; exit 1 if any must be renewed now')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => run(() => certsCheckCommand(deps, global(), o)));
  certs
    .command('renew')
    .description('renew due certificates: with certificates.localCa signed locally and proven against the KME; otherwise a CSR and instructions')
    .option('--sae <id>', 'renew this SAE certificate even if not due (repeatable)', collect)
    .option('--force', 'renew every SAE certificate, due or not')
    .action((o: { sae?: string[]; force?: boolean }) => run(() => certsRenewCommand(deps, global(), o)));
  certs
    .command('ca')
    .description('make a local CA (ca.pem, ca-key.pem 0600) to sign the agent and coordinator certificates')
    .requiredOption('--out <dir>', 'directory to write to')
    .option('--cn <name>', 'its common name', 'qkd-macsec agents CA')
    .option('--days <n>', 'validity in days', positiveInt, 3650)
    .option('--force', 'replace existing files')
    .action((o: CaOptions) => run(() => certsCaCommand(deps, o)));
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
    .action((role: 'agent' | 'coordinator', site: string | undefined, o: IssueOptions) => run(() => certsIssueCommand(deps, global(), role, site, o)));
}
