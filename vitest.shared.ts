import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Settings every project's vitest config shares. Besides the console output, each project writes a
 * JSON report to `.test-results/<project>.json`: `npm test` runs eight projects with interleaved
 * output, and `tools/ci/failed-tests.mjs` lists every failed test from those reports at the end, so
 * a failure is never lost in the middle of the log.
 */
export function sharedTestOptions(project: string) {
  mkdirSync(join(root, '.test-results'), { recursive: true });
  return {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: join(root, '.test-results', `${project}.json`) },
  };
}
