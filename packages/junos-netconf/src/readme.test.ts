import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_USER, startTestServer, type ReceivedRpc, type TestServer } from './testing/netconf-server.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('../examples/rotate-key.ts', import.meta.url), 'utf8');
const CAK = 'cd'.repeat(32);

// What a Junos device answers to the example's RPCs, in the shapes sim-junos and Junos use.
function reply(rpc: ReceivedRpc): string {
  switch (rpc.name) {
    case 'get-software-information':
      return '<software-information><host-name>r1</host-name><product-model>mx204</product-model><junos-version>23.4R1.10</junos-version></software-information>';
    case 'get-chassis-inventory':
      return '<chassis-inventory><chassis><name>Chassis</name><serial-number>SIM1</serial-number></chassis></chassis-inventory>';
    case 'load-configuration':
      return '<load-configuration-results><load-success/></load-configuration-results>';
    case 'get-configuration':
      return `<configuration-information><configuration-output>[edit security authentication-key-chains key-chain QKD-KC key 7]\n+    key-name ${'ab'.repeat(32)};\n+    secret "$9$reversible"; ## SECRET-DATA\n</configuration-output></configuration-information>`;
    case 'commit-configuration':
      return '<commit-results><routing-engine><name>re0</name><commit-success/></routing-engine></commit-results>';
    case 'get-mka-session-information':
      return `<mka-session-information><interface-name>ge-0/0/0</interface-name><interface-state>Secured - Primary</interface-state><cak-name>${'ab'.repeat(32)}</cak-name><key-server>yes</key-server><latest-sak-an>1</latest-sak-an><latest-sak-ki>D4B9/1</latest-sak-ki></mka-session-information>`;
    default:
      return '<ok/>';
  }
}

describe('README', () => {
  it('shows the code of examples/rotate-key.ts', () => {
    const block = /## Example: stage a MACsec key with commit confirmed\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    // The example's first line says where it comes from; it imports the source, the README the package.
    expect(example.split('\n').slice(1).join('\n')).toBe(block!.replace("from '@qkd-macsec/junos-netconf';", "from '../src/index.js';"));
  });

  describe('the example', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ handler: reply });
    });
    afterAll(() => server.close());

    it('runs: facts, a masked diff, commit confirmed and confirm under a lock, MKA sessions; the CAK only on the wire', async () => {
      const env = { JUNOS_HOST: server.host, JUNOS_PORT: String(server.port), JUNOS_USER: DEFAULT_USER.username, JUNOS_PASSWORD: DEFAULT_USER.password, JUNOS_FINGERPRINT: server.hostKeyFingerprint };
      for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
      const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
      try {
        await import('../examples/rotate-key.js');
        const printed = log.mock.calls.map((args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
        expect(printed[0]).toBe('{"hostname":"r1","model":"mx204","version":"23.4R1.10","serialNumber":"SIM1"}');
        expect(printed[1]).toContain('secret "[redacted]"; ## SECRET-DATA');
        expect(printed[2]).toBe(`ge-0/0/0 true ${'ab'.repeat(32)} true 1 D4B9/1`);
        expect(printed.join('\n')).not.toContain(CAK);
        expect(server.received.map((r) => r.name)).toEqual([
          'get-software-information',
          'get-chassis-inventory',
          'lock-configuration',
          'load-configuration',
          'get-configuration',
          'commit-configuration',
          'commit-configuration',
          'unlock-configuration',
          'get-mka-session-information',
          'close-session',
        ]);
        expect(server.received[3]!.xml).toContain(`secret ${CAK}`);
      } finally {
        log.mockRestore();
        vi.unstubAllEnvs();
      }
    });
  });
});
