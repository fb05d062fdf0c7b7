// The handle startSimJunos returns: how to reach each device, link state and history, faults
// changed while running, the clock, and close().
import type { Clock, ManualClock } from './clock.js';
import { SimConfigError } from './config.js';
import { renderConfigText } from './config-text.js';
import type { SimDevice } from './device.js';
import { parseFaults } from './faults.js';
import type { LinkDefinition, LinkStatus } from './link-model.js';
import type { LinkHistory, SimDeviceInfo, SimJunos } from './sim-types.js';
import type { WiredLinks } from './wire-links.js';

export interface SimParts {
  host: string;
  clock: Clock;
  confirmMinuteMs: number;
  devices: ReadonlyMap<string, SimDevice>;
  infos: Record<string, SimDeviceInfo>;
  linkDefs: LinkDefinition[];
  wired: WiredLinks;
  shared: { port: number; fingerprint: string } | undefined;
  keyLogFile: string | undefined;
  /** Closes the endpoints (and the admin server, once there is one). */
  closeServers(): Promise<unknown>;
}

export function simControl(p: SimParts): SimJunos {
  const { clock, devices, linkDefs } = p;
  const links = p.wired.links;
  const deviceOf = (name: string) => {
    const d = devices.get(name);
    if (!d) throw new SimConfigError(`unknown device "${name}"`);
    return d;
  };
  const intervalsSince = (since: number, of: 'downIntervals' | 'fallbackIntervals') => {
    const now = clock.now();
    return linkDefs.flatMap((l) => links[of](l.id, now).filter((i) => (i.to ?? now) >= since).map((i) => ({ ...i, linkId: l.id })));
  };
  return {
    host: p.host,
    devices: p.infos,
    links: Object.fromEntries(linkDefs.map((l) => [l.id, l])),
    ...(p.shared ? { sharedPort: p.shared.port, sharedHostKeyFingerprint: p.shared.fingerprint } : {}),
    ...(p.keyLogFile !== undefined ? { keyLogFile: p.keyLogFile } : {}),
    confirmMinuteMs: p.confirmMinuteMs,
    clock,
    now: () => clock.now(),
    advance(ms) {
      if (!('advance' in clock) || typeof (clock as ManualClock).advance !== 'function')
        throw new Error('advance() needs a manual clock: start the simulator with { clock: "manual" }');
      (clock as ManualClock).advance(ms);
      links.syncTo(clock.now());
    },
    linkStatus: (id) => links.status(id, clock.now()),
    linkHistory(id) {
      const now = clock.now();
      return { downIntervals: links.downIntervals(id, now), fallbackIntervals: links.fallbackIntervals(id, now), ...links.totals(id, now) };
    },
    downIntervalsSince: (since) => intervalsSince(since, 'downIntervals'),
    fallbackIntervalsSince: (since) => intervalsSince(since, 'fallbackIntervals'),
    setFaults(name, faults) {
      const d = deviceOf(name);
      const r = parseFaults(faults);
      if (!r.ok) throw new SimConfigError(r.error, `setFaults(${name})`);
      // Links must reach "now" under the old clock skew before the new one applies.
      links.syncTo(clock.now());
      d.faults = r.faults;
      links.committed(name, d.store.activeCommitted(), clock.now());
      p.wired.rearm();
    },
    getFaults: (name) => deviceOf(name).faults,
    device(name) {
      const d = deviceOf(name);
      return {
        committedText: () => renderConfigText(d.store.committed()),
        committed: () => d.store.committed(),
        history: () => d.store.history,
        files: d.files,
        faults: () => d.faults,
        stats: () => ({ ...d.stats }),
      };
    },
    async close() {
      p.wired.cancel();
      for (const d of devices.values()) d.store.dispose();
      await p.closeServers();
    },
  };
}

/** Every link's record — state, down and fallback intervals and totals — as JSON (GET /links). */
export function linkRecords(sim: SimJunos): Record<string, LinkStatus & LinkHistory> {
  return Object.fromEntries(Object.keys(sim.links).map((id) => [id, { ...sim.linkStatus(id), ...sim.linkHistory(id) }]));
}
