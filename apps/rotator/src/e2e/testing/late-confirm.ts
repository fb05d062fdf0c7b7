// A device whose confirm arrives too late: its next plain commit (the confirm of a commit
// confirmed) waits until the other ends have committed, then the simulators' clock jumps past the
// confirm timeout, so the device has rolled back when the confirm lands. The e2e tests that prove
// a rotation notices that and leaves every end on one key share it.
import { connectNetconf, junosDevice, type JunosDevice, type NetconfClient } from '@qkd-macsec/junos-netconf';
import type { Bench } from './harness.js';

export interface LateConfirmOptions {
  /** The device whose confirm is held back. */
  device: string;
  /** Devices whose next commit the held confirm waits for. */
  waitFor: readonly string[];
  /** Runs just before the clock jumps. */
  beforeJump?: () => void;
}

export interface LateConfirm {
  /** Holds back the device's next confirm (once). */
  arm(): void;
  /** A CreateRotatorOptions['connectDevice'] for the bench. */
  connectDevice(name: string): Promise<JunosDevice>;
}

export function lateConfirm(bench: Bench, options: LateConfirmOptions): LateConfirm {
  let armed = false;
  const holdBack = async () => {
    armed = false;
    const before = options.waitFor.map((w) => bench.junos.device(w).history().length);
    while (options.waitFor.some((w, i) => bench.junos.device(w).history().length === before[i])) await new Promise((res) => setTimeout(res, 10));
    options.beforeJump?.();
    bench.junos.advance(bench.config.rotation.confirmTimeoutMinutes * 60_000 + 1000);
  };
  return {
    arm: () => {
      armed = true;
    },
    connectDevice: async (name) => {
      const d = bench.junos.devices[name]!;
      const client = await connectNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint] });
      if (name !== options.device) return junosDevice(client);
      const rpc = async (xml: string, rpcOptions?: unknown) => {
        if (armed && /<commit-configuration/.test(xml) && !/<confirmed/.test(xml)) await holdBack();
        return client.rpc(xml, rpcOptions as never);
      };
      return junosDevice(new Proxy(client, { get: (target, prop, receiver) => (prop === 'rpc' ? rpc : Reflect.get(target, prop, receiver)) }) as NetconfClient);
    },
  };
}
