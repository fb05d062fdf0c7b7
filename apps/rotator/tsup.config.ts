import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts"],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // import.meta.url in the CommonJS build too (version.ts finds the package's package.json by it).
  shims: true,
  // tsup leaves dependencies and peerDependencies out of the bundle, not optionalDependencies:
  // the simulators are imported where installed, never bundled into the demo's chunk.
  external: [/^@qkd-macsec\/sim-(kme|junos)$/],
});
