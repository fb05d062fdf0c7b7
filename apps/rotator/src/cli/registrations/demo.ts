import type { Command } from 'commander';
import { demoCommand } from '../commands/demo.js';
import { positiveInt, type CommandContext } from './command-context.js';

export function registerDemo(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('demo')
    .description('start simulated KMEs and routers in-process, run init and several rotations, show that no link dropped')
    .option('--rotations <n>', 'rotations to run', positiveInt, 3)
    .option('--keep', 'keep the temp dir with the generated config, PKI and state')
    .option('--sites', 'three sites, each with its own KME, routers and site agent; a coordinator that holds no key')
    .action((o: { rotations: number; keep?: boolean; sites?: boolean }) => run(() => demoCommand(deps, global(), o)));
}
