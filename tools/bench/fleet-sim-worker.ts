// The simulators of the fleet benchmark, each in a child process of its own (forked with an IPC
// channel): their SSH, TLS, XML and configuration work runs outside the rotator's process, so the
// rotator's process.cpuUsage() measures the rotator alone — real routers and KMEs do not share
// its CPU either.
//   argv[2] 'junos': the first message is SimJunosOptions; then { id, op: 'advance', ms } |
//                    { id, op: 'downSince', since } | { id, op: 'cpu' } | { id, op: 'close' }.
//   FLEET_SIM_CPU_PROFILE=DIR: each sim-junos process writes a CPU profile of its cycles (from the
//   first 'cpu' request on, so start-up is left out) to DIR/sim-junos-PID.cpuprofile when closed.
//   argv[2] 'kme':   the first message is SimKmeOptions; replies with the KME URLs and the SAEs'
//                    PEMs; then { id, op: 'cpu' } | { id, op: 'close' }.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { join } from 'node:path';
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
  let profiler: Promise<(file: string) => Promise<void>> | undefined;
  process.on('message', async (m: Message) => {
    if (m.op === 'advance') {
      sim.advance(m.ms!);
      send({ id: m.id, now: sim.now() });
    } else if (m.op === 'cpu') {
      const cpu = process.cpuUsage();
      if (process.env.FLEET_SIM_CPU_PROFILE) profiler ??= startProfile();
      send({ id: m.id, cpu });
    } else if (m.op === 'downSince') {
      send({ id: m.id, intervals: sim.downIntervalsSince(m.since!) });
    } else if (m.op === 'close') {
      if (profiler) await (await profiler)(join(process.env.FLEET_SIM_CPU_PROFILE!, `sim-junos-${process.pid}.cpuprofile`));
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

/** Starts the V8 profiler in this process; the function it gives stops it and writes the profile. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  const post = (method: string) => new Promise<unknown>((resolve, reject) => session.post(method, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async (file) => {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}
