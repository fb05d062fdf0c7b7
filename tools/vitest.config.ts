import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../vitest.shared.js';

export default defineConfig({
  test: {
    include: ['bench/**/*.test.ts', 'chaos/**/*.test.ts', 'fuzz/**/*.test.ts', 'ci/**/*.test.ts'],
    ...sharedTestOptions('tools'),
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
