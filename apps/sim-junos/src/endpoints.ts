// The SSH endpoints of a simulation: one port per device, and optionally one shared port where
// the login name "user@device" picks the device.
import type { Clock } from './clock.js';
import type { ParsedSimConfig } from './config.js';
import type { SimDevice } from './device.js';
import type { LinkModel } from './link-model.js';
import type { SimDeviceInfo } from './sim-types.js';
import { loadHostKey, startSshEndpoint, type HostKey, type SshEndpoint } from './ssh-server.js';

interface EndpointContext {
  host: string;
  clock: Clock;
  links: LinkModel;
  /** Every endpoint started, so that the caller can close them all, also after a failure. */
  started: SshEndpoint[];
}

/** Starts one endpoint per device; what a client needs to reach each one. */
export async function startDeviceEndpoints(
  cfg: ParsedSimConfig,
  devices: ReadonlyMap<string, SimDevice>,
  hostKeys: ReadonlyMap<string, HostKey>,
  ctx: EndpointContext,
): Promise<Record<string, SimDeviceInfo>> {
  const infos: Record<string, SimDeviceInfo> = {};
  for (const [name, device] of devices) {
    const hostKey = hostKeys.get(name)!;
    const ep = await startSshEndpoint({
      host: ctx.host,
      port: cfg.devices[name]!.port ?? 0,
      hostKey,
      clock: ctx.clock,
      links: ctx.links,
      route: (login) => (login === device.username ? { device, user: login } : undefined),
    });
    ctx.started.push(ep);
    const info = { name, host: ctx.host, port: ep.port, hostKeyFingerprint: hostKey.fingerprint, hostPublicKey: hostKey.publicKey, username: device.username } as SimDeviceInfo;
    Object.defineProperty(info, 'password', { value: device.password, enumerable: false });
    infos[name] = info;
  }
  return infos;
}

/** The shared port, with a host key of its own. */
export async function startSharedEndpoint(port: number, devices: ReadonlyMap<string, SimDevice>, ctx: EndpointContext): Promise<{ port: number; fingerprint: string }> {
  const key = loadHostKey();
  const ep = await startSshEndpoint({
    host: ctx.host,
    port,
    hostKey: key,
    clock: ctx.clock,
    links: ctx.links,
    route: (login) => {
      const at = login.lastIndexOf('@');
      const device = at > 0 ? devices.get(login.slice(at + 1)) : undefined;
      return device ? { device, user: login.slice(0, at) } : undefined;
    },
  });
  ctx.started.push(ep);
  return { port: ep.port, fingerprint: key.fingerprint };
}
