// A bare ssh2 connection to the harness's netconf subsystem, for tests that check the wire
// without the package's session layer. The host key is verified against the harness's pin.
import ssh2 from 'ssh2';
import { fingerprintOfKeyBlob, type NetconfdServer } from './netconfd-harness.js';

export interface NetconfChannel {
  client: ssh2.Client;
  channel: ssh2.ClientChannel;
  /** Fingerprints of the host keys the server presented (normally exactly one). */
  hostKeysSeen: string[];
  close(): void;
}

/** Connects and opens the `netconf` subsystem; rejects on auth failure or a wrong host key. */
export function openNetconfChannel(
  server: NetconfdServer,
  overrides: { privateKey?: string } = {},
): Promise<NetconfChannel> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const hostKeysSeen: string[] = [];
    client.once('error', reject);
    client.once('ready', () => {
      client.subsys('netconf', (err, channel) => {
        if (err) {
          client.end();
          return reject(err);
        }
        resolve({ client, channel, hostKeysSeen, close: () => client.end() });
      });
    });
    client.connect({
      host: server.host,
      port: server.port,
      username: server.username,
      privateKey: overrides.privateKey ?? server.privateKey,
      hostVerifier: (key: Buffer) => {
        const seen = fingerprintOfKeyBlob(key);
        hostKeysSeen.push(seen);
        return seen === server.hostKeyFingerprint;
      },
    });
  });
}
