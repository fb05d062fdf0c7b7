// The simulated routers of a parsed configuration: identity, credentials, starting
// configuration (validated like a commit) and host key, before anything listens.
import { randomBytes } from 'node:crypto';
import type { Clock } from './clock.js';
import { SimConfigError, type ParsedSimConfig } from './config.js';
import { applySetCommands, parseConfigText } from './config-text.js';
import { activeTree, ConfigSyntaxError, emptyTree, mergeTree, type ConfigNode } from './config-tree.js';
import { allocateSessionId, type SimDevice } from './device.js';
import type { KeyLog } from './key-log.js';
import type { LevelLogger } from './logger.js';
import { familyOfModel, type PlatformFamily } from './platform.js';
import { createMemoryFs } from './sftp.js';
import { loadHostKey, type HostKey } from './ssh-server.js';
import { createConfigStore } from './store.js';
import { checkCommit } from './validate.js';

export interface BuiltDevices {
  devices: Map<string, SimDevice>;
  hostKeys: Map<string, HostKey>;
  /** Each device's active configuration at start, for the link model. */
  trees: Map<string, ConfigNode>;
}

export interface DeviceContext {
  clock: Clock;
  confirmMinuteMs: number;
  logger: LevelLogger;
  keyLog: KeyLog | undefined;
}

export function buildDevices(cfg: ParsedSimConfig, ctx: DeviceContext): BuiltDevices {
  const built: BuiltDevices = { devices: new Map(), hostKeys: new Map(), trees: new Map() };
  for (const [name, d] of Object.entries(cfg.devices)) {
    const username = d.username ?? 'admin';
    const model = d.model ?? 'mx204';
    const platform = d.platform ?? familyOfModel(model);
    const tree = initialTree(name, d.config, platform);
    built.trees.set(name, activeTree(tree));
    built.devices.set(name, {
      name,
      hostname: d.hostname ?? name,
      model,
      platform,
      version: d.version ?? '23.4R1.10',
      serialNumber: d.serialNumber ?? `SIM${randomBytes(4).toString('hex').toUpperCase()}`,
      username,
      password: d.password ?? randomBytes(12).toString('base64url'),
      authorizedKeys: d.authorizedKeys ?? [],
      netconf11: d.netconf11 ?? false,
      store: createConfigStore(ctx.clock, tree, platform),
      confirmMinuteMs: ctx.confirmMinuteMs,
      faults: d.faults ?? {},
      files: createMemoryFs([`/var/home/${username}`]),
      newSession: (user) => ({ id: allocateSessionId(), user }),
      sessions: new Map(),
      stats: { sessions: 0, rpcs: 0 },
      log: ctx.logger,
    });
    ctx.keyLog?.record(name, tree, ctx.clock.now());
    try {
      built.hostKeys.set(name, loadHostKey(d.hostKey));
    } catch (e) {
      throw new SimConfigError((e as Error).message, `devices.${name}.hostKey`);
    }
  }
  return built;
}

function initialTree(device: string, text: string | undefined, family: PlatformFamily): ConfigNode {
  const tree = emptyTree();
  if (!text?.trim()) return tree;
  try {
    if (/^\s*(set|delete)\s/m.test(text) && !text.includes('{')) applySetCommands(tree, text);
    else mergeTree(tree, parseConfigText(text));
  } catch (e) {
    if (e instanceof ConfigSyntaxError) throw new SimConfigError(e.message, `devices.${device}.config`);
    throw e;
  }
  const errors = checkCommit(tree, family).filter((i) => i.severity === 'error');
  if (errors.length) throw new SimConfigError(errors.map((i) => `[edit ${i.path.join(' ')}] ${i.badElement ?? ''}: ${i.message}`).join('; '), `devices.${device}.config`);
  return tree;
}
