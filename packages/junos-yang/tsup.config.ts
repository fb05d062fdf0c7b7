import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'], // private, for the workspace's tests only
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
