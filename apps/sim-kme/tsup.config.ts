import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ['esm', 'cjs'],
  // The CLI kit is a private workspace package: its code and types go into dist, so the published
  // tarball neither imports nor depends on it (src/e2e/import.e2e.test.ts checks).
  noExternal: ['@qkd-macsec/cli-kit'],
  dts: { resolve: ['@qkd-macsec/cli-kit'] },
  clean: true,
  sourcemap: true,
  target: 'node20',
  // import.meta.url in the CommonJS build too (the --version reader finds package.json from it).
  shims: true,
});
