// `qkd-macsec agent --config agent.yaml`: the site agent. Loads agent.yaml (problems printed,
// exit 2), starts the mutual-TLS server, prints its URL, and stops on SIGTERM/SIGINT — zeroing
// every key it holds, which is all the state it has.
import { checkAgentConfigFile } from '../../agent/config/load.js';
import type { AgentConfig } from '../../agent/config/types.js';
import { startAgent } from '../../agent/server/agent.js';
import { formatIssue } from '../../config/index.js';
import { createHeldSecrets, createLogger } from '../../log/index.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, errorText, type CliDeps, type GlobalOptions } from '../context.js';
import { line } from '../io.js';

export async function agentCommand(deps: CliDeps, global: GlobalOptions): Promise<number> {
  const { io } = deps;
  const checked = await checkAgentConfigFile(global.config, { env: io.env });
  if (checked.config === undefined) {
    line(io.stderr, `agent config ${global.config}: ${checked.issues.length} problem${checked.issues.length === 1 ? '' : 's'}`);
    for (const issue of checked.issues) line(io.stderr, `  ${formatIssue(issue)}`);
    return EXIT_USAGE;
  }
  const config = checked.config;
  const held = createHeldSecrets();
  holdDeviceSecrets(config, held);
  const logger = createLogger({ format: global.logFormat, level: global.logLevel, stream: io.stderr, held, env: io.env, name: `qkd-macsec-agent ${config.site}` });
  let agent;
  try {
    agent = await startAgent(config, { logger, held });
  } catch (err) {
    line(io.stderr, `agent ${config.site}: ${errorText(err)}`);
    return EXIT_FAILED;
  }
  line(io.stdout, `agent ${config.site} on ${agent.url}${agent.metricsUrl ? ` (metrics and health on ${agent.metricsUrl})` : ''}`);
  const signal = await new Promise<string>((resolve) => {
    const on = (name: string) => () => {
      io.signals.off('SIGTERM', term);
      io.signals.off('SIGINT', int);
      resolve(name);
    };
    const term = on('SIGTERM');
    const int = on('SIGINT');
    io.signals.on('SIGTERM', term);
    io.signals.on('SIGINT', int);
  });
  logger.info(`agent ${config.site} stopping (${signal}): every key held is zeroed`);
  await agent.close();
  return EXIT_OK;
}

function holdDeviceSecrets(config: AgentConfig, held: ReturnType<typeof createHeldSecrets>): void {
  for (const d of Object.values(config.devices)) {
    if (d.password !== undefined) held.hold(d.password.reveal());
    if (d.privateKey?.passphrase !== undefined) held.hold(d.privateKey.passphrase.reveal());
  }
}
