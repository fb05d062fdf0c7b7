/**
 * Stage a new MACsec key-chain key on a Junos device with commit confirmed, confirm it, and
 * read the MKA sessions. Run from the repo after `npx nx run @qkd-macsec/junos-netconf:build`:
 *
 *   JUNOS_HOST=r1.lab JUNOS_USER=netops JUNOS_PASSWORD=… JUNOS_FINGERPRINT=SHA256:… \
 *     npx tsx packages/junos-netconf/examples/rotate-key.ts
 *
 * The CKN/CAK below are demo values; the rotator derives real ones from QKD keys.
 */
import { connectJunos, RpcFailedError } from '@qkd-macsec/junos-netconf';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`set ${name}`);
  return v;
};

const device = await connectJunos({
  host: env('JUNOS_HOST'),
  port: Number(process.env['JUNOS_PORT'] ?? 830),
  username: env('JUNOS_USER'),
  password: env('JUNOS_PASSWORD'),
  hostKeyFingerprints: [env('JUNOS_FINGERPRINT')], // or knownHostsFile: '~/.ssh/known_hosts' (expanded path)
});

try {
  console.log('facts', await device.facts());

  const ckn = 'ab'.repeat(32);
  const cak = 'cd'.repeat(32);
  const start = new Date(Date.now() + 10 * 60_000).toISOString().slice(0, 19).replace('T', '.');
  await device.withConfiguration('exclusive', async (d) => {
    await d.load({
      format: 'set',
      config: `set security authentication-key-chains key-chain QKD-KC key 7 key-name ${ckn} secret ${cak} start-time "${start}"`,
    });
    // diff() masks the secret lines Junos marks (its $9$-obfuscated CAK is reversible).
    console.log('diff\n' + (await d.diff()));
    const staged = await d.commit({ confirmed: true, confirmTimeoutMinutes: 5, comment: 'qkd-macsec example' });
    for (const w of staged.warnings) console.log('warning:', w.message);
    await d.confirm({ comment: 'qkd-macsec example confirmed' });
  });

  for (const s of await device.mkaSessions()) {
    console.log(`${s.interface}: ${s.state ?? '?'} ckn=${s.ckn ?? '-'} key-server=${s.keyServer} sak=${s.latestSakAn}/${s.latestSakKi}`);
  }
} catch (err) {
  if (err instanceof RpcFailedError) console.error(err.errors.map((e) => e.describe()).join('\n'));
  throw err;
} finally {
  await device.close();
}
