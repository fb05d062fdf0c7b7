import type { Command } from 'commander';
import { validateCommand } from '../commands/validate.js';
import type { CommandContext } from './command-context.js';

export function registerValidate(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('validate')
    .description('check the config file; with --connect also reach every KME and device')
    .option('--connect', 'ask each KME for the status of every SAE pair, and each device for its facts')
    .option('--json', 'machine-readable output')
    .action((o: { connect?: boolean; json?: boolean }) => run(() => validateCommand(deps, global(), o)));
}
