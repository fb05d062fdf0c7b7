// The simulators' key logs (contract "Key log"): one JSON line per key sim-kme handed out or
// CAK/secret sim-junos received, `{at, source, id, keyId?, hex, base64?, junos9?}`. They are the
// needles of the leak scan and the ground truth of which key reached which device.
import { readFileSync, existsSync } from 'node:fs';

export interface KeyLogEntry {
  at: string;
  source: 'sim-kme' | 'sim-junos';
  /** KME ID (sim-kme) or device name (sim-junos). */
  id: string;
  keyId?: string;
  /** Lower-case hex of the key or CAK. */
  hex: string;
  base64?: string;
  junos9?: string;
}

class KeyLogError extends Error {
  override name = 'KeyLogError';
}

/** Parses a key log; a line that is not an entry is an error naming the file and line (never quoting it: it holds keys). */
function parseKeyLog(text: string, file: string): KeyLogEntry[] {
  const entries: KeyLogEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new KeyLogError(`${file}:${i + 1}: not a JSON line`);
    }
    const e = v as Partial<KeyLogEntry>;
    if (typeof e !== 'object' || e === null || (e.source !== 'sim-kme' && e.source !== 'sim-junos') || typeof e.id !== 'string' || typeof e.hex !== 'string' || !/^[0-9a-f]+$/.test(e.hex))
      throw new KeyLogError(`${file}:${i + 1}: expected {source: "sim-kme"|"sim-junos", id, hex (lower-case hex), keyId?, base64?, junos9?}`);
    entries.push({
      at: String(e.at ?? ''),
      source: e.source,
      id: e.id,
      hex: e.hex,
      ...(typeof e.keyId === 'string' ? { keyId: e.keyId } : {}),
      ...(typeof e.base64 === 'string' ? { base64: e.base64 } : {}),
      ...(typeof e.junos9 === 'string' ? { junos9: e.junos9 } : {}),
    });
  });
  return entries;
}

/** Reads a key log; a missing file is an empty log (the simulator handed nothing out). */
export function readKeyLog(file: string): KeyLogEntry[] {
  if (!existsSync(file)) return [];
  return parseKeyLog(readFileSync(file, 'utf8'), file);
}
