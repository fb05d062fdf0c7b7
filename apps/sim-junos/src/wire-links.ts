// The MACsec links between the simulated routers: the link definitions checked against the
// devices, the link model kept current on every commit, and a timer on the device clock that
// brings the model forward at each key start-time, so transitions are logged when they happen.
import type { Clock } from './clock.js';
import { SimConfigError, type ParsedSimConfig } from './config.js';
import type { SimDevice } from './device.js';
import type { KeyLog } from './key-log.js';
import { createLinkModel, type LinkDefinition, type LinkModel } from './link-model.js';
import type { LevelLogger } from './logger.js';
import type { ConfigNode } from './config-tree.js';

/** The configured links with their ids; each end a known device interface used by one link only. */
export function linkDefinitions(cfg: ParsedSimConfig, devices: ReadonlyMap<string, SimDevice>): LinkDefinition[] {
  const defs: LinkDefinition[] = (cfg.links ?? []).map((l, i) => ({ id: l.id ?? `link-${i + 1}`, a: l.a, b: l.b }));
  const usedEnds = new Set<string>();
  const usedIds = new Set<string>();
  for (const [i, l] of defs.entries()) {
    // an explicit id may equal a generated one ("link-2")
    if (usedIds.has(l.id)) throw new SimConfigError(`link id "${l.id}" is used twice`, `links.${i}`);
    usedIds.add(l.id);
    for (const end of [l.a, l.b]) {
      if (!devices.has(end.device)) throw new SimConfigError(`unknown device "${end.device}"`, `links.${i}`);
      const key = `${end.device}:${end.interface}`;
      if (usedEnds.has(key)) throw new SimConfigError(`${key} is already an end of another link`, `links.${i}`);
      usedEnds.add(key);
    }
  }
  return defs;
}

export interface WiredLinks {
  links: LinkModel;
  /** Re-arms the timer for the next key start-time (after a change the model did not see). */
  rearm(): void;
  /** Stops the timer. */
  cancel(): void;
}

export function wireLinks(
  defs: LinkDefinition[],
  devices: ReadonlyMap<string, SimDevice>,
  trees: Map<string, ConfigNode>,
  ctx: { clock: Clock; logger: LevelLogger; keyLog: KeyLog | undefined },
): WiredLinks {
  const { clock, logger, keyLog } = ctx;
  const links = createLinkModel(defs, trees, clock.now(), (name) => devices.get(name)?.faults.clockSkewMs ?? 0);
  let cancelSwitchTimer = () => {};
  const rearm = () => {
    cancelSwitchTimer();
    const next = links.nextSwitchAfter(clock.now());
    if (Number.isFinite(next))
      cancelSwitchTimer = clock.at(next, () => {
        links.syncTo(clock.now());
        rearm();
      });
  };
  links.onTransition((id, state, at, reason) => {
    const line = `link ${id} ${state}${reason ? ` (${reason})` : ''} at ${new Date(at).toISOString()}`;
    if (state !== 'secured') logger.warn(line);
    else logger.info(line);
  });
  for (const [name, device] of devices)
    device.store.onCommit((tree, time) => {
      const head = device.store.history[0]!;
      logger.info(`${name}: commit by ${head.user}${head.log !== undefined ? ` (${head.log})` : ''}${head.confirmPending ? ', confirmation pending' : ''}`);
      keyLog?.record(name, tree, time);
      links.committed(name, device.store.activeCommitted(), time);
      rearm();
    });
  rearm();
  return { links, rearm, cancel: () => cancelSwitchTimer() };
}
