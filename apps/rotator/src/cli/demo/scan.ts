// Looking for key material in text: every form a key could take in a log line, an error, a JSON
// state file or util.inspect output — hex (either case), Base64, Base64url, and the spaced hex
// of an inspected Buffer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Leak {
  where: string;
  form: string;
  keyId: string;
}

export function keyForms(bytes: Buffer): Array<[form: string, text: string]> {
  const hex = bytes.toString('hex');
  return [
    ['hex', hex],
    ['HEX', hex.toUpperCase()],
    ['base64', bytes.toString('base64')],
    ['base64url', bytes.toString('base64url')],
    // The first half is enough to call it a leak (a truncated CAK is still a leak).
    ['hex prefix', hex.slice(0, 32)],
    ['Buffer inspect', hex.slice(0, 24).replace(/(..)(?!$)/g, '$1 ')],
  ];
}

export function scanText(where: string, text: string, keys: ReadonlyMap<string, Buffer>, extra: ReadonlyArray<[label: string, value: string]> = []): Leak[] {
  const leaks: Leak[] = [];
  for (const [keyId, bytes] of keys) {
    for (const [form, needle] of keyForms(bytes)) if (text.includes(needle)) leaks.push({ where, form, keyId });
  }
  for (const [label, value] of extra) if (text.includes(value)) leaks.push({ where, form: label, keyId: '-' });
  return leaks;
}

/** Every file under `dir`, except those `skip` accepts (the intended key files). */
export function filesUnder(dir: string, skip: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, skip));
    else if (!skip(path)) out.push(path);
  }
  return out;
}

export function scanFiles(dir: string, keys: ReadonlyMap<string, Buffer>, skip?: (path: string) => boolean): { files: string[]; leaks: Leak[] } {
  const files = filesUnder(dir, skip);
  return { files, leaks: files.flatMap((f) => scanText(f, readFileSync(f).toString('latin1'), keys)) };
}
