// What every command needs: the global options, the config (problems printed, not thrown), a
// logger that says the loud things the config asks for, and the engine with real connections.
import { EXIT_USAGE } from '@qkd-macsec/cli-kit';
import { loadConfig, minimumCycle, type RotatorConfig } from '../config/index.js';
import { createHeldSecrets, createLogger, keyTtlMsFor, type HeldSecrets, type LogFormat, type LogLevel, type RotatorLogger } from '../log/index.js';
import type { RotatorMetrics } from '../metrics/index.js';
import { deviceConnector, kmeClientFactory } from '../fleet/connectors.js';
import { acquireStateLock, StateLockedError, type StateLock } from '../state/lock.js';
import { agentsFor, defaultAgentWiring, type AgentWiring } from './agents.js';
import { defaultCreateRotator, type CreateRotator, type Rotator } from './engine.js';
import { line, type CliIo, type OutStream } from './io.js';

export interface GlobalOptions {
  config: string;
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** Wait for another writer of the state directory to finish instead of failing. */
  waitLock?: boolean;
}

export interface CliDeps {
  io: CliIo;
  createRotator?: CreateRotator;
  /** For tests: the clock the engine and the daemon use. */
  clock?: () => Date;
  /** Set by the program before a command runs: its name (`rotate`, `certs renew`), for the state lock's holder record. */
  command?: string;
  /** Set by the program from the global --wait-lock. */
  waitLock?: boolean;
  /** Set by the program: the command was given --json (its errors are JSON on stdout too). */
  json?: boolean;
  /** The site agents' client (agent mode); default the real one (agent/client). */
  agents?: AgentWiring;
}

/**
 * Exit codes: the CLI kit's 0 fine, 1 a link/device/certificate failed, 2 the invocation, the
 * config file or the state directory's files are wrong (the operator must change something before
 * trying again); and the rotator's own 3, another process holds the state directory (try again
 * later, or --wait-lock).
 */
export { EXIT_OK, EXIT_FAILED, EXIT_USAGE } from '@qkd-macsec/cli-kit';
const EXIT_LOCKED = 3;

export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

// The held-value guard behind each CLI logger: loadOrExit registers the config's secrets with it
// and the KME clients every key they receive, so a value that slips into a line is masked.
const heldOf = new WeakMap<RotatorLogger, HeldSecrets>();

export function makeLogger(io: CliIo, options: GlobalOptions, stream: OutStream | undefined = io.stderr): RotatorLogger {
  const held = createHeldSecrets();
  const logger = createLogger({ format: options.logFormat, level: options.logLevel, stream: stream ?? io.stderr, held, env: io.env });
  heldOf.set(logger, held);
  return logger;
}

/** The held-value guard behind a logger made by makeLogger. */
export function heldSecretsOf(logger: RotatorLogger): HeldSecrets | undefined {
  return heldOf.get(logger);
}

function holdConfigSecrets(config: RotatorConfig, held: HeldSecrets | undefined): void {
  if (held === undefined) return;
  for (const d of Object.values(config.devices)) {
    if (d.password !== undefined) held.hold(d.password.reveal());
    if (d.privateKey?.passphrase !== undefined) held.hold(d.privateKey.passphrase.reveal());
  }
}

/**
 * Loads the config. On problems it throws the ConfigError, which runCli prints (each problem as
 * `path: problem` on stderr, or as JSON on stdout under --json) and exits 2 for (failure.ts).
 */
export async function loadOrExit(io: CliIo, options: GlobalOptions, logger: RotatorLogger): Promise<RotatorConfig> {
  const config = await loadConfig(options.config, { env: io.env });
  const held = heldOf.get(logger);
  holdConfigSecrets(config, held);
  // Key digests for as long as this rotation's transactions can need them, not the guard's 6 hours.
  held?.keepKeysFor(keyTtlMsFor(minimumCycle(config.rotation).totalSeconds));
  for (const w of config.warnings) logger.warn(`config: ${w}`);
  return config;
}

/**
 * Takes the state directory's lock for this command, or prints who holds it and what to do and
 * exits 3 (with --wait-lock: waits for it).
 */
export async function lockOrExit(deps: CliDeps, config: RotatorConfig, logger: RotatorLogger, extra: { onLost?: (err: Error) => void } = {}): Promise<StateLock> {
  const command = deps.command ?? 'qkd-macsec';
  try {
    return await acquireStateLock(config.stateDir, { command, logger, ...(deps.waitLock === true ? { wait: true } : {}), ...(extra.onLost !== undefined ? { onLost: extra.onLost } : {}) });
  } catch (err) {
    if (!(err instanceof StateLockedError)) throw err;
    const h = err.holder;
    line(deps.io.stderr, `${command}: ${err.message}: one process at a time writes a state directory.`);
    if (h?.command === 'run') {
      line(deps.io.stderr, `  It is the daemon: \`rotate\` and \`status\` go through it once its control endpoint is up (control.json in ${err.stateDir}).`);
      line(deps.io.stderr, `  To run \`${command}\` yourself, stop it first (e.g. systemctl stop qkd-macsec, or kill ${h.pid}) and start it again afterwards.`);
    } else {
      line(deps.io.stderr, `  Wait for it to finish and run this again, or add --wait-lock to wait for it${h !== undefined ? `; if it hangs, stop it (kill ${h.pid})` : ''}.`);
    }
    throw new CliExit(EXIT_LOCKED);
  }
}

/**
 * The engine with real connections. It holds the state directory's lock until close() unless
 * `lock: false` (status reads without it; the daemon took it for its life already).
 */
export async function openRotator(deps: CliDeps, config: RotatorConfig, logger: RotatorLogger, metrics?: RotatorMetrics, options: { lock?: boolean } = {}): Promise<Rotator> {
  const lock = options.lock === false ? undefined : await lockOrExit(deps, config, logger);
  try {
    const rotator = await createEngine(deps, config, logger, metrics);
    return lock === undefined ? rotator : alsoOnClose(rotator, () => lock.release());
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

async function createEngine(deps: CliDeps, config: RotatorConfig, logger: RotatorLogger, metrics?: RotatorMetrics): Promise<Rotator> {
  const create = deps.createRotator ?? defaultCreateRotator;
  const held = heldOf.get(logger);
  const connectorOptions = { logger, ...(metrics !== undefined ? { metrics } : {}), ...(held !== undefined ? { held } : {}) };
  // Agent mode: devices and SAEs at sites are reached through their agents (closed with the engine).
  const agents = agentsFor(deps.agents ?? defaultAgentWiring, config, { logger, ...(metrics !== undefined ? { metrics } : {}) });
  try {
    const rotator = await create({
      config,
      logger,
      ...(deps.clock !== undefined ? { clock: deps.clock } : {}),
      startAfterConfirmTimeout: config.rotation.startAfterConfirmTimeout,
      connectDevice: deviceConnector(config, connectorOptions),
      kmeClientFor: kmeClientFactory(config, connectorOptions),
      ...(agents !== undefined ? { agents } : {}),
    });
    return agents === undefined ? rotator : alsoOnClose(rotator, () => agents.close());
  } catch (err) {
    await agents?.close();
    throw err;
  }
}

/** The rotator, whose close() then also runs `after` (also when the rotator's own close fails). */
function alsoOnClose(rotator: Rotator, after: () => Promise<void>): Rotator {
  return {
    ...rotator,
    async close() {
      try {
        await rotator.close();
      } finally {
        await after();
      }
    },
  };
}

/** Unknown --link names are a usage error that lists the known ones. */
export function checkLinkNames(io: CliIo, config: RotatorConfig, names: string[]): void {
  const known = new Set(config.links.map((l) => l.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    line(io.stderr, `unknown link${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (the config has: ${[...known].join(', ')})`);
    throw new CliExit(EXIT_USAGE);
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err);
}
