// The simulator's own CPU per device-cycle, in-process and without SSH: the rotator's cycle (lock +
// read of the MACsec subtree in one chunk, a merge load of the next key, commit confirmed, commit +
// unlock in one chunk, the MKA read after the start-time) on N devices, each through
// runNetconfSession — framing, the XML parse of each RPC, the handlers, the commit latency's timer,
// the link model and reply rendering — so what changes in the simulator shows without the SSH and
// scheduling noise of the fleet benchmark (tools/bench/fleet.bench.ts, which runs the same requests
// over SSH against two simulator processes).
//
//   npx tsx bench/device-cycle.ts            # DEVICES=2000 CYCLES=10
//
// Each step's CPU (process.cpuUsage) per device; every reply is checked (no rpc-error, the read
// holds a key, the MKA read shows every link secured on the new key), so a broken simulator
// cannot look fast.
import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { manualClock } from '../src/clock.js';
import { activeTree, emptyTree, type ConfigNode } from '../src/config-tree.js';
import { applySetCommands } from '../src/config-text.js';
import type { SimDevice } from '../src/device.js';
import { createLinkModel } from '../src/link-model.js';
import { levelLogger, silentLogger } from '../src/logger.js';
import { runNetconfSession } from '../src/netconf-session.js';
import { createMemoryFs } from '../src/sftp.js';
import { createConfigStore } from '../src/store.js';
// A bench script, never published: the workspace's one median, not a copy of it.
import { median } from '../../../tools/bench/stats.js';

const DEVICES = Number(process.env.DEVICES ?? 2000);
const CYCLES = Number(process.env.CYCLES ?? 10);
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const clock = manualClock(T0);
const hex = () => randomBytes(32).toString('hex');
const startTime = (t: number) => new Date(t).toISOString().slice(0, 19).replace('T', '.');
const fallback = { ckn: hex(), cak: hex() };

function initialConfig(): ConfigNode {
  const tree = emptyTree();
  applySetCommands(
    tree,
    [
      'set system host-name sim',
      'set security macsec connectivity-association qkd-L cipher-suite gcm-aes-256',
      'set security macsec connectivity-association qkd-L security-mode static-cak',
      'set security macsec connectivity-association qkd-L pre-shared-key-chain qkd-L',
      `set security macsec connectivity-association qkd-L fallback-key ckn ${fallback.ckn} cak ${fallback.cak}`,
      'set security macsec interfaces et-0/0/0 connectivity-association qkd-L',
      'set security authentication-key-chains key-chain qkd-L tolerance 0',
      `set security authentication-key-chains key-chain qkd-L key 0 key-name ${'ab'.repeat(32)} secret ${'cd'.repeat(32)} start-time ${startTime(T0 - 1000)}`,
    ].join('\n'),
  );
  return tree;
}

const devices: SimDevice[] = [];
const trees = new Map<string, ConfigNode>();
for (let i = 0; i < DEVICES; i++) {
  const name = `d${i + 1}`;
  const tree = initialConfig();
  trees.set(name, activeTree(tree));
  devices.push({
    name,
    hostname: name,
    model: 'mx204',
    platform: 'junos',
    version: '23.4R1.10',
    serialNumber: 'SIM0',
    username: 'admin',
    password: 'unused',
    authorizedKeys: [],
    netconf11: false,
    store: createConfigStore(clock, tree, 'junos'),
    confirmMinuteMs: 60_000,
    faults: { commitLatencyMs: 1 }, // the fleet's commits have a latency: the same code path
    files: createMemoryFs([]),
    newSession: (user) => ({ id: i + 1, user }),
    sessions: new Map(),
    log: levelLogger(silentLogger),
    stats: { sessions: 0, rpcs: 0 },
  });
}
// Link k joins d(2k-1) and d(2k), as in the fleet benchmark.
const defs = Array.from({ length: DEVICES >> 1 }, (_, k) => ({
  id: `L${k + 1}`,
  a: { device: `d${2 * k + 1}`, interface: 'et-0/0/0' },
  b: { device: `d${2 * k + 2}`, interface: 'et-0/0/0' },
}));
const links = createLinkModel(defs, trees, clock.now());
for (const d of devices) d.store.onCommit((_tree, time) => links.committed(d.name, d.store.activeCommitted(), time));

const onReply = new Map<number, (xml: string) => void>();
const streams = devices.map((device, i) => {
  let pending = '';
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString();
      for (let at = pending.indexOf(']]>]]>'); at >= 0; at = pending.indexOf(']]>]]>')) {
        onReply.get(i)?.(pending.slice(0, at));
        pending = pending.slice(at + 6);
      }
      done();
    },
  });
  runNetconfSession(stream, { device, session: { id: i + 1, user: 'admin' }, clock, links, dropConnection() {} });
  stream.emit('data', Buffer.from('<hello xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><capabilities><capability>urn:ietf:params:netconf:base:1.0</capability></capabilities></hello>]]>]]>'));
  return stream;
});

let messageId = 100;
const rpc = (inner: string) => `<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="${++messageId}">${inner}</rpc>]]>]]>`;

/** Sends each device its RPCs in one chunk; resolves when every device has all its answers. CPU ms. */
async function step(what: string, rpcsOf: (i: number) => string[], check: (xml: string) => void = () => {}): Promise<number> {
  const before = process.cpuUsage();
  await Promise.all(
    streams.map(
      (stream, i) =>
        new Promise<void>((resolve) => {
          const rpcs = rpcsOf(i);
          let left = rpcs.length;
          onReply.set(i, (xml) => {
            if (/<error-severity>error</.test(xml)) throw new Error(`${what}: d${i + 1} answered ${xml.slice(0, 400)}`);
            check(xml);
            if (--left === 0) resolve();
          });
          stream.emit('data', Buffer.from(rpcs.map(rpc).join('')));
        }),
    ),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const load = (i: number, key: number, start: number) => `<load-configuration action="merge" format="xml"><configuration>
  <security>
    <authentication-key-chains>
      <key-chain>
        <name>qkd-L</name>${key >= 2 ? `\n        <key delete="delete">\n          <name>${key - 2}</name>\n        </key>` : ''}
        <key>
          <name>${key}</name>
          <secret>${(i >> 1).toString(16).padStart(8, '0')}${key.toString(16).padStart(8, '0')}${'5a'.repeat(24)}</secret>
          <key-name>${(i >> 1).toString(16).padStart(8, '0')}${key.toString(16).padStart(8, '0')}${'6b'.repeat(24)}</key-name>
          <start-time>${startTime(start)}</start-time>
        </key>
      </key-chain>
    </authentication-key-chains>
  </security>
</configuration>
</load-configuration>`;

const READ = '<get-configuration database="committed"><configuration><security><macsec/><authentication-key-chains/></security></configuration></get-configuration>';
const perStep: Record<string, number[]> = {};
for (let cycle = 1; cycle <= CYCLES; cycle++) {
  const start = clock.now() + 5 * 60_000;
  let read = 0;
  let secured = 0;
  const ms: Record<string, number> = {};
  ms.read = await step('read', () => ['<lock-configuration/>', READ], (xml) => void (xml.includes('<key>') && read++));
  ms.load = await step('load', (i) => [load(i, cycle, start)]);
  ms.stage = await step('stage', () => [`<commit-configuration><confirmed/><confirm-timeout>5</confirm-timeout><log>cycle ${cycle}: stage</log></commit-configuration>`]);
  ms.confirm = await step('confirm', () => [`<commit-configuration><log>cycle ${cycle}: confirm</log></commit-configuration>`, '<unlock-configuration/>']);
  clock.advance(6 * 60_000);
  ms.mka = await step('mka', () => ['<get-mka-session-information/>'], (xml) => void (xml.includes('Secured - Primary') && xml.includes(`<key-chain-key>${cycle}<`) && secured++));
  if (read !== DEVICES || secured !== DEVICES) throw new Error(`cycle ${cycle}: ${read} reads with keys, ${secured} links secured on key ${cycle}, of ${DEVICES}`);
  ms.total = Object.values(ms).reduce((a, b) => a + b, 0);
  for (const [k, v] of Object.entries(ms)) (perStep[k] ??= []).push(v);
  console.log(`cycle ${cycle}: ${Object.entries(ms).map(([k, v]) => `${k} ${((v * 1000) / DEVICES).toFixed(0)}`).join(', ')} µs per device`);
}
// The first cycle runs colder code (the JIT), as a fresh simulator's does.
console.log(`median of cycles 2..${CYCLES}: ${Object.entries(perStep).map(([k, v]) => `${k} ${((median(v.slice(1)) * 1000) / DEVICES).toFixed(0)}`).join(', ')} µs per device`);
