// `sim-kme serve`: run the KMEs of a configuration until SIGINT or SIGTERM, and tell the user
// where they listen and how to reach them.
import { createLogger, type LogFormat, type LogLevel } from '../logger.js';
import { keyLogWarning } from '../key-log.js';
import { pkiLayout } from '../pki.js';
import { startSimKme, type SimKme } from '../sim-kme.js';
import type { SimKmeConfig } from '../config.js';
import { loadCliConfig } from './serve-config.js';
import { shown } from './shown.js';

export interface ServeOptions {
  config?: string;
  pki: string;
  kme?: string[];
  logFormat?: LogFormat;
  logLevel?: LogLevel;
  admin?: { host: string; port: number } | false;
  keyLog?: string;
}

type Print = (line: string) => void;

export async function serveCommand(opts: ServeOptions, print: Print, warn: Print): Promise<void> {
  const config = loadCliConfig(opts.config);
  const usesPkiDir = config.caFile === undefined;
  const pkiDir = config.pkiDir ?? opts.pki;
  const logger = createLogger({ level: opts.logLevel ?? config.log.level, format: opts.logFormat ?? config.log.format });
  const admin = opts.admin === false ? undefined : (opts.admin ?? config.admin ?? { host: '127.0.0.1', port: 0 });
  const keyLog = opts.keyLog ?? config.keyLog;
  if (keyLog !== undefined) warn(`sim-kme: WARNING: ${keyLogWarning(keyLog)}`);
  const sim = await startSimKme({
    ...config,
    ...(usesPkiDir ? { pkiDir } : {}),
    ...(opts.kme ? { local: opts.kme } : {}),
    admin,
    keyLog,
    logger,
  });
  // Before anything is printed: whoever reads it may signal at once, and an unhandled SIGTERM kills.
  stopOnSignals(sim, (signal) => logger.info('stopping', { signal }));
  printServing(sim, config, print);
  if (usesPkiDir) printTry(sim, config, pkiDir, print);
}

function printServing(sim: SimKme, config: SimKmeConfig, print: Print): void {
  print(`sim-kme: ${Object.keys(sim.kmes).length} KME(s) listening${config.topology === 'single-kme' ? ' (single-KME topology)' : ''}`);
  for (const kme of config.kmes.filter((k) => sim.kmes[k.id])) print(`  ${kme.id.padEnd(12)} ${sim.kmes[kme.id]!.url}  SAEs: ${kme.saes.join(', ') || '(none)'}`);
  if (sim.adminUrl) print(`admin: ${sim.adminUrl}`);
}

/** A curl line a new user can paste: the first local SAE asks for the Status of a peer SAE. */
function printTry(sim: SimKme, config: SimKmeConfig, pkiDir: string, print: Print): void {
  print(`CA certificate: ${shown(`${pkiDir}/${pkiLayout.caCert}`)}`);
  const first = config.kmes.find((k) => sim.kmes[k.id]);
  const master = first?.saes[0];
  const slave = config.topology === 'single-kme' ? first?.saes[1] : config.kmes.find((k) => k !== first && k.saes.length > 0)?.saes[0];
  if (!first || !master || !slave) return;
  print(`SAE client certificates: ${shown(`${pkiDir}/saes`)}/<SAE_ID>.crt and .key`);
  print('Try:');
  print(
    `  curl --cacert ${shown(`${pkiDir}/${pkiLayout.caCert}`)} --cert ${shown(`${pkiDir}/${pkiLayout.saeCert(master)}`)} ` +
      `--key ${shown(`${pkiDir}/${pkiLayout.saeKey(master)}`)} ${sim.kmes[first.id]!.url}/api/v1/keys/${slave}/status`,
  );
}

function stopOnSignals(sim: SimKme, onStop: (signal: string) => void): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    onStop(signal);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
