// Test helper: validate many Junos XML configurations against one YANG family with ONE yanglint
// process (its interactive mode: load the modules once, then one `data` command per file). The
// family's modules and namespaces come from macsec-config's runner (`familyModules`,
// `withJunosNamespaces`), so this validates exactly what `validateWithYang` does — only
// loading the large modules once instead of once per configuration.
import { familyModules, junosYangDir, withJunosNamespaces, type YangFamily } from '@qkd-macsec/junos-yang';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BatchVerdict {
  ok: boolean;
  /** yanglint's messages for this configuration (empty when ok). */
  errors: string;
}

/** A path no file can be at: `data` on it prints an error naming it, which ends one file's output. */
const marker = (dir: string, i: number) => join(dir, 'no-such-dir', `end-of-${i}.xml`);

export function validateBatch(configs: readonly string[], family: YangFamily, dir: string = junosYangDir()): BatchVerdict[] {
  const mods = familyModules(family, dir);
  const work = mkdtempSync(join(tmpdir(), 'yanglint-batch-'));
  try {
    const script = [`searchpath ${mods.dir}`, ...Object.values(mods.modules).map((m) => `add ${m!.file}`)];
    configs.forEach((xml, i) => {
      const file = join(work, `c${i}.xml`);
      writeFileSync(file, withJunosNamespaces(xml, mods).xml);
      script.push(`data -t config ${file}`, `data -t config ${marker(work, i)}`);
    });
    script.push('quit', '');
    // HOME: yanglint's interactive mode keeps a history folder there.
    const run = spawnSync('yanglint', [], { input: script.join('\n'), encoding: 'utf8', env: { ...process.env, HOME: work }, maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw run.error;
    const out = `${run.stdout}\n${run.stderr}`;
    const verdicts: BatchVerdict[] = [];
    let from = 0;
    for (let i = 0; i < configs.length; i++) {
      const end = out.indexOf(marker(work, i), from);
      if (end < 0) throw new Error(`yanglint stopped before configuration ${i} of ${configs.length}:\n${out.slice(from, from + 2000)}`);
      const chunk = out.slice(from, out.lastIndexOf('\n', end) + 1).trim();
      const lines = chunk.split('\n').filter((l) => l !== '' && !/Configuration directory|No saved history/.test(l));
      const errors = lines.join('\n');
      verdicts.push({ ok: !/\[E\]|libyang\[\d+\]|\berr\b/.test(errors), errors });
      from = out.indexOf('\n', end) + 1;
    }
    return verdicts;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
