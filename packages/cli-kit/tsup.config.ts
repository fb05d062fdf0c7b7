import { defineConfig } from 'tsup';

export default defineConfig({
  // testing/: what the apps' tests import, never their own code (so never in an app's dist).
  entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
