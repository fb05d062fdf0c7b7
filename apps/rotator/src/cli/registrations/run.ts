import type { Command } from 'commander';
import { runCommand } from '../commands/run.js';
import { positiveInt, type CommandContext } from './command-context.js';

export function registerRun(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('run')
    .description('the daemon: rotate on the interval, check certificates, serve /healthz and /metrics; stops on SIGTERM/SIGINT')
    .option('--listen <host:port>', 'metrics and health endpoint (overrides metrics.listen)')
    .option('--cycles <n>', 'stop after n cycles', positiveInt)
    .action((o: { listen?: string; cycles?: number }) => run(() => runCommand(deps, global(), o)));
}
