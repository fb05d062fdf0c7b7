import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  // The README examples import the package by name; run them against the sources.
  resolve: { alias: { '@qkd-macsec/cert-lcm': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    include: ['src/**/*.test.ts'],
    ...sharedTestOptions('cert-lcm'),
  },
});
