import type { Command } from 'commander';
import { agentCommand } from '../commands/agent.js';
import type { CommandContext } from './command-context.js';

export function registerAgent(program: Command, { deps, global, run }: CommandContext): void {
  program
    .command('agent')
    .description('the site agent: talks to this site\'s KMEs and devices, serves the coordinator over mutual TLS (--config agent.yaml); stops on SIGTERM/SIGINT')
    .action(() => run(() => agentCommand(deps, global())));
}
