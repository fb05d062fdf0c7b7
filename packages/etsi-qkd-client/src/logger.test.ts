// Without a logger, the client's warnings are process warnings of its own type (CONTRIBUTING.md):
// `node --no-warnings` silences them, `process.on('warning')` sees them; debug lines go nowhere.
import { afterEach, describe, expect, it } from 'vitest';
import { createQkdClient } from './client.js';
import { defaultLogger } from './logger.js';
import { json, startStubKme, statusBody, type StubKme } from './testing/stub-kme.js';

const stubs: StubKme[] = [];
afterEach(async () => {
  for (const stub of stubs.splice(0)) await stub.close();
});

/** The process warnings emitted while `run` runs (they are emitted on the next tick). */
async function warningsDuring(run: () => Promise<void>): Promise<Array<{ name: string; message: string }>> {
  const seen: Array<{ name: string; message: string }> = [];
  const listener = (warning: Error) => seen.push({ name: warning.name, message: warning.message });
  process.on('warning', listener);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', listener);
  }
  return seen;
}

describe('default logger', () => {
  it('sends warnings to process.emitWarning as EtsiQkdClientWarning and drops debug lines', async () => {
    const stub = await startStubKme((_req, res) => json(res, 200, statusBody()));
    stubs.push(stub);
    const seen = await warningsDuring(async () => {
      const client = createQkdClient({ baseUrl: stub.url, allowPlainHttp: true });
      await client.getStatus('SAE_B'); // a debug line per call when a logger takes them
      await client.close();
    });
    expect(seen).toEqual([{ name: 'EtsiQkdClientWarning', message: expect.stringMatching(/^baseUrl http:\/\/127\.0\.0\.1:\d+ is plain http/) }]);
  });
});

describe('defaultLogger', () => {
  it('puts the context in the warning detail, as junos-netconf does, and sends errors as warnings too', async () => {
    const seen: Array<{ name: string; message: string; detail?: string }> = [];
    const listener = (warning: Error & { detail?: string }) => seen.push({ name: warning.name, message: warning.message, detail: warning.detail });
    process.on('warning', listener);
    try {
      defaultLogger.warn('certificate expires soon', { daysLeft: 3, subject: 'CN=SAE_A' });
      defaultLogger.error?.('KME refused', { status: 503 });
      defaultLogger.warn('no context');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(seen).toEqual([
      { name: 'EtsiQkdClientWarning', message: 'certificate expires soon', detail: '{"daysLeft":3,"subject":"CN=SAE_A"}' },
      { name: 'EtsiQkdClientWarning', message: 'KME refused', detail: '{"status":503}' },
      { name: 'EtsiQkdClientWarning', message: 'no context', detail: undefined },
    ]);
  });
});
