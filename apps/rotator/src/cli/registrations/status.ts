import type { Command } from 'commander';
import { statusCommand } from '../commands/status.js';
import type { CommandContext } from './command-context.js';

export function registerStatus(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('status')
    .description('per link: key_ID, age, MKA state read live from every end, next rotation')
    .option('--json', 'machine-readable output')
    .action((o: { json?: boolean }) => run(() => statusCommand(deps, global(), o)));
}
