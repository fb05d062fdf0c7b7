#!/usr/bin/env node
// The sim-kme command: `pki --out DIR` writes a ready-made mTLS setup, `serve` runs the KMEs.
import { relative } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { defaultConfigInput, isLoopbackHost, loadConfigFile, parseConfig, type SimKmeConfig } from './config.js';
import { createLogger, type LogFormat, type LogLevel } from './logger.js';
import { keyLogWarning } from './key-log.js';
import { createSimPki, pkiLayout, writeSimPki } from './pki.js';
import { startSimKme } from './sim-kme.js';

const DEFAULT_PORTS = { a: 8443, b: 8444 };

function loadConfig(file: string | undefined): SimKmeConfig {
  return file === undefined ? parseConfig(defaultConfigInput(DEFAULT_PORTS), 'default configuration') : loadConfigFile(file);
}

/** `--admin HOST:PORT` (`[::1]:PORT` for IPv6), HOST a loopback address. */
function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT (e.g. 127.0.0.1:9000, [::1]:0), got "${value}"`);
  const host = (m[1] ?? m[2])!;
  if (!isLoopbackHost(host))
    throw new InvalidArgumentError(`${host} is not a loopback address; the admin endpoint has no authentication (use 127.0.0.1, ::1 or localhost)`);
  return { host, port };
}

const shown = (p: string) => {
  const rel = relative(process.cwd(), p);
  return rel.startsWith('..') || rel === '' ? p : `./${rel}`;
};

const program = new Command()
  .name('sim-kme')
  .description('ETSI GS QKD 014 v1.1.1 KME simulator: HTTPS + mutual TLS, simulated QKD links')
  .showHelpAfterError();

program
  .command('pki')
  .description('create a CA, a server certificate per KME and a client certificate per SAE')
  .requiredOption('--out <dir>', 'directory to write the PKI to')
  .option('--config <file>', 'take the KME and SAE IDs from this config file (default: KME_A/SAE_A, KME_B/SAE_B)')
  .option('--force', 'replace an existing PKI in the directory', false)
  .action(async (opts: { out: string; config?: string; force: boolean }) => {
    const config = loadConfig(opts.config);
    const pki = await createSimPki({ kmeIds: config.kmes.map((k) => k.id), saeIds: config.kmes.flatMap((k) => k.saes) });
    const written = await writeSimPki(pki, opts.out, { force: opts.force });
    console.log(`PKI written to ${shown(written.dir)}`);
    console.log(`  CA certificate   ${shown(written.caCert)}`);
    console.log(`  CA private key   ${shown(written.caKey)} (mode 0600)`);
    for (const [id, f] of Object.entries(written.kmes)) console.log(`  KME ${id.padEnd(12)} ${shown(f.cert)}  ${shown(f.key)}`);
    for (const [id, f] of Object.entries(written.saes)) console.log(`  SAE ${id.padEnd(12)} ${shown(f.cert)}  ${shown(f.key)}`);
    console.log(`Next: sim-kme serve${opts.config ? ` --config ${opts.config}` : ''}${opts.out === './pki' || opts.out === 'pki' ? '' : ` --pki ${opts.out}`}`);
  });

program
  .command('serve')
  .description('run the KMEs of a config file (default: KME_A on :8443 with SAE_A, KME_B on :8444 with SAE_B)')
  .option('--config <file>', 'YAML or JSON configuration')
  .option('--pki <dir>', 'PKI directory written by `sim-kme pki` when the config names none', './pki')
  .option('--kme <ids...>', 'serve only these KMEs; linked KMEs left out are reached at their configured port (one KME per process)')
  .addOption(new Option('--log-format <format>', 'log output').choices(['pretty', 'json']))
  .addOption(new Option('--log-level <level>', 'lowest level logged').choices(['silly', 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
  .option('--admin <host:port>', 'fault admin endpoint, plain HTTP, loopback only (default: the config\'s admin, else 127.0.0.1:0)', parseHostPort)
  .option('--no-admin', 'no fault admin endpoint')
  .option('--key-log <file>', 'TESTS ONLY: append every key handed out to FILE (JSON lines, mode 0600) for leak scanners')
  .action(async (opts: { config?: string; pki: string; kme?: string[]; logFormat?: LogFormat; logLevel?: LogLevel; admin?: { host: string; port: number } | false; keyLog?: string }) => {
    const config = loadConfig(opts.config);
    const usesPkiDir = config.caFile === undefined;
    const pkiDir = config.pkiDir ?? opts.pki;
    const logger = createLogger({ level: opts.logLevel ?? config.log.level, format: opts.logFormat ?? config.log.format });
    const admin = opts.admin === false ? undefined : (opts.admin ?? config.admin ?? { host: '127.0.0.1', port: 0 });
    const keyLog = opts.keyLog ?? config.keyLog;
    if (keyLog !== undefined) console.error(`sim-kme: WARNING: ${keyLogWarning(keyLog)}`);
    const sim = await startSimKme({
      ...config,
      ...(usesPkiDir ? { pkiDir } : {}),
      ...(opts.kme ? { local: opts.kme } : {}),
      admin,
      keyLog,
      logger,
    });
    console.log(`sim-kme: ${Object.keys(sim.kmes).length} KME(s) listening`);
    for (const kme of config.kmes.filter((k) => sim.kmes[k.id])) console.log(`  ${kme.id.padEnd(12)} ${sim.kmes[kme.id]!.url}  SAEs: ${kme.saes.join(', ') || '(none)'}`);
    if (sim.adminUrl) console.log(`admin: ${sim.adminUrl}`);
    if (usesPkiDir) {
      console.log(`CA certificate: ${shown(`${pkiDir}/${pkiLayout.caCert}`)}`);
      const first = config.kmes.find((k) => sim.kmes[k.id]);
      const second = config.kmes.find((k) => k !== first && k.saes.length > 0);
      const master = first?.saes[0];
      const slave = second?.saes[0];
      if (first && master && slave) {
        console.log(`SAE client certificates: ${shown(`${pkiDir}/saes`)}/<SAE_ID>.crt and .key`);
        console.log('Try:');
        console.log(
          `  curl --cacert ${shown(`${pkiDir}/${pkiLayout.caCert}`)} --cert ${shown(`${pkiDir}/${pkiLayout.saeCert(master)}`)} ` +
            `--key ${shown(`${pkiDir}/${pkiLayout.saeKey(master)}`)} ${sim.kmes[first.id]!.url}/api/v1/keys/${slave}/status`,
        );
      }
    }
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      sim.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`sim-kme: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
