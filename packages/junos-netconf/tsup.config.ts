import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'framing/index': 'src/framing/index.ts', 'xml/index': 'src/xml/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  // Shared chunks in CJS too, so an error class is the same object whichever subpath loaded it.
  splitting: true,
  target: 'node20',
  // import.meta.url in the CommonJS build too (ssh/native-crypto.ts resolves ssh2 from it).
  shims: true,
});
