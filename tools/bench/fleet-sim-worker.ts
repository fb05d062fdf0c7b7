// The simulators of the fleet benchmark, each in a child process of its own (forked with an IPC
// channel): their SSH, TLS, XML and configuration work runs outside the rotator's process, so the
// rotator's process.cpuUsage() measures the rotator alone — real routers and KMEs do not share
// its CPU either.
//   argv[2] 'junos': the first message is SimJunosOptions; then { id, op: 'advance', ms } |
//                    { id, op: 'downSince', since } | { id, op: 'cpu' } | { id, op: 'close' }.
//   argv[2] 'kme':   the first message is SimKmeOptions; replies with the KME URLs and the SAEs'
//                    PEMs; then { id, op: 'cpu' } | { id, op: 'close' }.
import { startSimJunos, type SimJunosOptions } from '@qkd-macsec/sim-junos';
import { startSimKme } from '@qkd-macsec/sim-kme';

type Message = { id: number; op: string; ms?: number; since?: number };
const send = (m: object) => process.send!(m);
const role = process.argv[2];

const options = await new Promise<unknown>((resolve) => process.once('message', resolve));
if (role === 'junos') {
  const sim = await startSimJunos(options as SimJunosOptions);
  const devices = Object.fromEntries(
    Object.entries(sim.devices).map(([name, d]) => [name, { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint }]),
  );
  send({ ready: true, devices, now: sim.now() });
  process.on('message', async (m: Message) => {
    if (m.op === 'advance') {
      sim.advance(m.ms!);
      send({ id: m.id, now: sim.now() });
    } else if (m.op === 'cpu') {
      send({ id: m.id, cpu: process.cpuUsage() });
    } else if (m.op === 'downSince') {
      send({ id: m.id, intervals: sim.downIntervalsSince(m.since!) });
    } else if (m.op === 'close') {
      await sim.close();
      send({ id: m.id });
      process.disconnect();
    }
  });
} else if (role === 'kme') {
  const kme = await startSimKme(options as Parameters<typeof startSimKme>[0]);
  const pki = kme.pki!;
  send({
    ready: true,
    urls: Object.fromEntries(Object.entries(kme.kmes).map(([id, k]) => [id, k.url])),
    ca: pki.ca.certPem,
    saes: Object.fromEntries(Object.entries(pki.saes).map(([id, s]) => [id, { cert: s.certPem, key: s.keyPem }])),
  });
  process.on('message', async (m: Message) => {
    if (m.op === 'cpu') send({ id: m.id, cpu: process.cpuUsage() });
    else if (m.op === 'close') {
      await kme.close();
      send({ id: m.id });
      process.disconnect();
    }
  });
} else {
  throw new Error(`fleet-sim-worker: role must be junos or kme, got ${String(role)}`);
}
