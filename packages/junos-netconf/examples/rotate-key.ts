// The README's example (src/readme.test.ts keeps the two the same); run it as the README says.
import { connectJunos, RpcFailedError } from '../src/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`set ${name}`);
  return value;
};

// Demo values: the qkd-macsec rotator derives the CKN and CAK from QKD keys.
const ckn = 'ab'.repeat(32);
const cak = 'cd'.repeat(32);
const startTime = new Date(Date.now() + 10 * 60_000).toISOString().slice(0, 19).replace('T', '.');

const device = await connectJunos({
  host: env('JUNOS_HOST'),
  port: Number(process.env['JUNOS_PORT'] ?? 830),
  username: env('JUNOS_USER'),
  password: env('JUNOS_PASSWORD'),
  hostKeyFingerprints: [env('JUNOS_FINGERPRINT')], // `ssh-keygen -lf` of the device's host key; or knownHostsFile
});
try {
  console.log(await device.facts()); // { hostname, model, version, serialNumber }

  await device.withConfiguration('exclusive', async (d) => {
    await d.load({
      format: 'set',
      config: `set security authentication-key-chains key-chain QKD-KC key 7 key-name ${ckn} secret ${cak} start-time "${startTime}"`,
    });
    console.log(await d.diff()); // secrets masked: secret "[redacted]"
    const staged = await d.commit({ confirmed: true, confirmTimeoutMinutes: 5, comment: 'qkd rotation' });
    for (const w of staged.warnings) console.log('warning:', w.message);
    await d.confirm();
  }); // a throw inside: the candidate is rolled back (rollback 0) and then unlocked

  for (const s of await device.mkaSessions()) {
    console.log(s.interface, s.secured, s.ckn, s.keyServer, s.latestSakAn, s.latestSakKi);
  }
} catch (err) {
  if (err instanceof RpcFailedError) console.error(err.errors.map((e) => e.describe()));
  throw err;
} finally {
  await device.close();
}
