// sim-junos for the fleet benchmark, in its own thread: the simulated routers do their SSH,
// XML and configuration work on the other core, as real routers would not share the rotator's CPU.
// Messages: { id, op: 'advance', ms } | { id, op: 'downSince', since } | { id, op: 'close' }.
import { parentPort, workerData } from 'node:worker_threads';
import { startSimJunos, type SimJunosOptions } from '@qkd-macsec/sim-junos';

const sim = await startSimJunos(workerData as SimJunosOptions);
const devices = Object.fromEntries(
  Object.entries(sim.devices).map(([name, d]) => [name, { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint }]),
);
parentPort!.postMessage({ ready: true, devices, now: sim.now() });
parentPort!.on('message', async (m: { id: number; op: string; ms?: number; since?: number }) => {
  if (m.op === 'advance') {
    sim.advance(m.ms!);
    parentPort!.postMessage({ id: m.id, now: sim.now() });
  } else if (m.op === 'downSince') {
    parentPort!.postMessage({ id: m.id, intervals: sim.downIntervalsSince(m.since!) });
  } else if (m.op === 'close') {
    await sim.close();
    parentPort!.postMessage({ id: m.id });
    parentPort!.close();
  }
});
