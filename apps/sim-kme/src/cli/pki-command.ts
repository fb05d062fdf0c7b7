// `sim-kme pki --out DIR`: a ready-made mTLS setup for the KMEs and SAEs of a configuration.
import { createSimPki, writeSimPki } from '../pki.js';
import { loadCliConfig } from './serve-config.js';
import { shown } from './shown.js';

export interface PkiOptions {
  out: string;
  config?: string;
  force: boolean;
}

export async function pkiCommand(opts: PkiOptions, print: (line: string) => void): Promise<void> {
  const config = loadCliConfig(opts.config);
  const pki = await createSimPki({ kmeIds: config.kmes.map((k) => k.id), saeIds: config.kmes.flatMap((k) => k.saes) });
  const written = await writeSimPki(pki, opts.out, { force: opts.force });
  print(`PKI written to ${shown(written.dir)}`);
  print(`  CA certificate   ${shown(written.caCert)}`);
  print(`  CA private key   ${shown(written.caKey)} (mode 0600)`);
  for (const [id, f] of Object.entries(written.kmes)) print(`  KME ${id.padEnd(12)} ${shown(f.cert)}  ${shown(f.key)}`);
  for (const [id, f] of Object.entries(written.saes)) print(`  SAE ${id.padEnd(12)} ${shown(f.cert)}  ${shown(f.key)}`);
  print(`Next: sim-kme serve${opts.config ? ` --config ${opts.config}` : ''}${opts.out === './pki' || opts.out === 'pki' ? '' : ` --pki ${opts.out}`}`);
}
