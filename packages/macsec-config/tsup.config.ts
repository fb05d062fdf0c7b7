import { defineConfig } from 'tsup';

export default defineConfig({
  // Test helpers (src/testing/) are no entry and imported by none: they never reach dist/.
  entry: { index: 'src/index.ts', 'xml/index': 'src/xml/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Shared chunks in CJS too, so MacsecConfigError is one class whichever entry loaded it
  // (`instanceof MacsecConfigError` catches an XmlError from ./xml).
  splitting: true,
  target: 'node20',
});
