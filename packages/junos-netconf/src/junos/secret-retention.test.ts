// A kept session must not hold the configurations it loaded. A secret cut out of the loaded text
// by a regex is a V8 sliced string: it keeps the whole text alive, so every kept session held
// the full XML of its recent loads (a heap snapshot of the rotator showed it: loadedSecrets →
// list → the secret → its parent "<configuration>…" string).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heapAfterGc } from '../testing/heap.js';
import { DEFAULT_USER, startTestServer, type TestServer } from '../testing/netconf-server.js';
import { connectJunos, type JunosDevice } from './device.js';
import { extractSecrets } from './secrets.js';

const MiB = 1 << 20;
const LOADS = 8;
/** A key load with 1 MiB of comment after the secret; built anew each time, held by nobody but the callee. */
const bigLoad = (i: number): string =>
  `<configuration><security><authentication-key-chains><key-chain><name>KC</name><key><name>${i}</name>` +
  `<secret>${secretOf(i)}</secret><key-name>${i.toString(16).padStart(64, 'c')}</key-name>` +
  `<!-- ${'x'.repeat(MiB)} --></key></key-chain></authentication-key-chains></security></configuration>`;

const secretOf = (i: number): string => i.toString(16).padStart(64, 'a');
let server: TestServer;
let device: JunosDevice;
beforeAll(async () => {
  server = await startTestServer({
    handler: (rpc) =>
      rpc.name === 'load-configuration'
        ? '<load-configuration-results><load-success/></load-configuration-results>'
        : rpc.name === 'get-configuration' // a diff quoting a loaded secret where no keyword marks it
          ? `<configuration-information><configuration-output>+ annotation "${secretOf(LOADS - 1)}";</configuration-output></configuration-information>`
          : '<ok/>',
  });
  device = await connectJunos({ host: server.host, port: server.port, ...DEFAULT_USER, knownHosts: server.knownHostsLine });
});
afterAll(async () => {
  await device.close();
  await server.close();
});

describe('what a kept session retains of the configurations it loaded', () => {
  it('extractSecrets gives secrets that do not keep the configuration text alive', () => {
    const before = heapAfterGc();
    const kept = Array.from({ length: LOADS }, (_, i) => extractSecrets(bigLoad(i), 'xml'));
    const retained = heapAfterGc() - before;
    expect(kept.flat()).toHaveLength(LOADS);
    expect(retained).toBeLessThan(MiB); // 8 MiB while each secret was a slice of its text
  });

  it('a session that loaded 8 MiB of configuration keeps under 1 MiB of it, and still scrubs its secrets', async () => {
    await device.rpc('<get-software-information/>'); // warm: the session's own lazily made state
    const before = heapAfterGc();
    for (let i = 0; i < LOADS; i++) await device.load({ format: 'xml', action: 'merge', config: bigLoad(i) });
    server.received.splice(0); // the test server's own record of what it was sent
    const retained = heapAfterGc() - before;
    expect(retained).toBeLessThan(MiB);
    // The secrets are still known to the session: a reply quoting one is scrubbed.
    expect(await device.diff()).toBe('+ annotation "[redacted]";');
    expect(device.closed).toBe(false);
  });
});
