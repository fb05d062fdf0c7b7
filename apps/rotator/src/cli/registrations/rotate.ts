import type { Command } from 'commander';
import { rotateCommand } from '../commands/rotate.js';
import { collect, type CommandContext } from './command-context.js';

export function registerRotate(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('rotate')
    .description('one rotation cycle for every link, or the named ones')
    .option('--link <name>', 'rotate this link (repeatable)', collect)
    .option('--dry-run', 'fetch nothing, change nothing: show what would be done')
    .option('--json', 'the cycle report as JSON on stdout')
    .option('--no-wait', 'return once every end is confirmed, without waiting for the start-time (the daemon or the next run verifies)')
    .action((o: { link?: string[]; dryRun?: boolean; json?: boolean; wait?: boolean }) => run(() => rotateCommand(deps, global(), { ...o, noWait: o.wait === false })));
}
