import { describe, expect, it } from 'vitest';
import { commitConfigurationRpc, connectSsh, createSessionPool } from './index.js';

// Options renamed to the workspace's conventions: the old name, passed from plain JavaScript,
// must be refused by name rather than ignored into a default.
describe('renamed options', () => {
  it('refuses confirmTimeout (now confirmTimeoutMinutes) instead of committing with Junos default rollback time', () => {
    const old = { confirmed: true, confirmTimeout: 5 } as Parameters<typeof commitConfigurationRpc>[0];
    expect(() => commitConfigurationRpc(old)).toThrow(/option "confirmTimeout" was renamed "confirmTimeoutMinutes"/);
    expect(commitConfigurationRpc({ confirmed: true, confirmTimeoutMinutes: 5 })).toContain('<confirm-timeout>5</confirm-timeout>');
  });

  it('refuses readyTimeoutMs (now handshakeTimeoutMs) before connecting', async () => {
    const old = { host: '127.0.0.1', port: 9, username: 'u', password: 'p', hostKey: 'accept-any', readyTimeoutMs: 10 } as unknown as Parameters<typeof connectSsh>[0];
    await expect(connectSsh(old)).rejects.toThrow(/127\.0\.0\.1:9: option "readyTimeoutMs" was renamed "handshakeTimeoutMs"/);
  });

  it('refuses retry.attempts (now retry.limit, which counts retries after the first attempt)', () => {
    const retry = { attempts: 3 } as unknown as { limit: number };
    expect(() => createSessionPool({ connect: () => Promise.reject(new Error('unused')), retry })).toThrow(/retry: option "attempts" was renamed "limit/);
  });
});
