import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  resolve: {
    // The examples import the package by name; in tests that name means these sources.
    alias: [{ find: /^@qkd-macsec\/etsi-qkd-client$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) }],
  },
  test: {
    include: ['src/**/*.test.ts'],
    ...sharedTestOptions('etsi-qkd-client'),
  },
});
