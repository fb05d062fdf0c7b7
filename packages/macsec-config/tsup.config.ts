import { defineConfig } from 'tsup';

export default defineConfig({
  // junos-yang: test support (spawns yanglint), kept out of the main entry so the library stays pure.
  entry: { index: "src/index.ts", "test-support/junos-yang": "src/test-support/junos-yang.ts" },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
