// The NODE_OPTIONS the shipped systemd units start the qkd-macsec binary with
// (apps/rotator/systemd): the benches run the daemon and the site agents with them, as production
// runs them. Node takes some of V8's settings (the young generation's size) at start only, so the
// binary cannot set them itself (apps/rotator/src/cli/heap.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function unitNodeOptions(unit: 'qkd-macsec.service' | 'qkd-macsec-agent.service'): string {
  const path = fileURLToPath(new URL(`../../apps/rotator/systemd/${unit}`, import.meta.url));
  const options = /^Environment=NODE_OPTIONS=(.*)$/m.exec(readFileSync(path, 'utf8'))?.[1];
  if (options === undefined) throw new Error(`${path} has no Environment=NODE_OPTIONS= line; the benches start the binary as that unit does`);
  return options;
}

/**
 * Node flags that start a process's young generation at the unit's maximum: the binary's module
 * loading grows it to that maximum before the binary holds it there (apps/rotator/src/cli/heap.ts;
 * heap.test.ts checks it), while a bench process, which imports less, stayed at half of it.
 * `--min-semi-space-size` is not allowed in NODE_OPTIONS: it goes on the command line.
 */
export function youngGenerationAsBinary(nodeOptions: string): string[] {
  const max = /--max-semi-space-size=(\d+)/.exec(nodeOptions)?.[1];
  return max === undefined ? [] : [`--min-semi-space-size=${max}`];
}
