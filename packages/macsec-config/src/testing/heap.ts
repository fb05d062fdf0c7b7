// The heap a test's objects keep, without --expose-gc on vitest's command line.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap in use after full collections (what is still reachable), in bytes. */
export function heapAfterGc(): number {
  /x/.exec('x'); // RegExp.input (legacy, process-wide) holds the last string a regex ran on
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}
