import type { Command } from 'commander';
import { initCommand } from '../commands/init.js';
import type { CommandContext } from './command-context.js';

export function registerInit(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('init')
    .description('apply the initial MACsec configuration on every device, idempotently, and give each link its first key')
    .option('--dry-run', 'show the diff per device without committing')
    .option('--json', 'machine-readable output')
    .option('--remove-field-script', "also remove what the field script left: its event-options, event-script entries, script user and unused connectivity associations")
    .action((o: { dryRun?: boolean; json?: boolean; removeFieldScript?: boolean }) => run(() => initCommand(deps, global(), o)));
}
