import { defineConfig, type Options } from 'tsup';

const common: Options = {
  entry: ['src/index.ts', 'src/schemas.ts'],
  dts: true,
  sourcemap: true,
  target: 'node20',
};

export default defineConfig([
  { ...common, format: ['esm'] },
  // ky is ESM-only and exports its function as `default`, which a CJS require() of it does not
  // unwrap; the CJS build therefore carries its own copy of ky.
  { ...common, format: ['cjs'], noExternal: ['ky'] },
]);
