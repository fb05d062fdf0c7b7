import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sshNativeCrypto } from './native-crypto.js';

// In a fresh node: this process's ssh2 may already be pooled by another test's connectSsh.
const child = join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'padding-child.ts');
const run = () =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 })) as {
    installed: { pooled: string[]; left: string[] };
    kinds: number;
    sameShapes: boolean;
    paddingBytes: number;
    distinctPaddings: number;
    minCount: number;
    maxCount: number;
    connections: Record<string, boolean>;
  };

describe('poolSshPadding', () => {
  const r = run();

  it("replaces allocPacket on every cipher class ssh2 has, native binding or not, and leaves none", () => {
    // The Binding classes exist only when ssh2's native binding loads: not under a Node.js other than
    // the one it was built for (the workspace's install under Node 24, say), where this failed.
    const bindings = sshNativeCrypto().loaded ? ['AESGCMCipherBinding', 'ChaChaPolyCipherBinding', 'GenericCipherBinding'] : [];
    expect(r.installed.pooled.sort()).toEqual([...bindings, 'AESGCMCipherNative', 'ChaChaPolyCipherNative', 'GenericCipherNative'].sort());
    expect(r.installed.left).toEqual([]);
  });

  it("builds the packets ssh2 built: same size and header for every payload length 0–599, on 46 cipher, MAC and binding combinations", () => {
    expect(r.kinds).toBe(46);
    expect(r.sameShapes).toBe(true);
  });

  it('fills the padding with fresh random bytes: 3,000 packets, every padding different, every byte value about equally often', () => {
    expect(r.paddingBytes).toBeGreaterThan(3 * 4096); // the pool was refilled
    expect(r.distinctPaddings).toBe(3000);
    // ~136 of each byte value expected; a stuck, zeroed or reused pool would be far outside this
    expect(r.minCount).toBeGreaterThan(60);
    expect(r.maxCount).toBeLessThan(230);
  });

  it('carries data both ways over real SSH on each cipher and MAC kind (the receiving side parses the packets the pooled side built)', () => {
    expect(Object.keys(r.connections)).toHaveLength(11);
    expect(Object.entries(r.connections).filter(([, ok]) => !ok)).toEqual([]);
  });
});
