import { afterEach, describe, expect, it } from 'vitest';
import { defaultLogger, type Logger } from './logger.js';

const seen: Error[] = [];
const listener = (w: Error): void => void seen.push(w);
afterEach(() => {
  process.off('warning', listener);
  seen.length = 0;
});

async function warningsOf(fn: () => void): Promise<Array<Error & { detail?: string }>> {
  process.on('warning', listener);
  fn();
  await new Promise((r) => setImmediate(r)); // process.emitWarning emits on the next tick
  return seen.filter((w) => w.name === 'JunosNetconfWarning');
}

describe('defaultLogger', () => {
  it('emits warnings and errors as JunosNetconfWarning, the context in the detail', async () => {
    const warnings = await warningsOf(() => {
      defaultLogger.warn('keepalive to r1 failed', { key: 'r1', attempt: 2 });
      defaultLogger.error!('background reconnect to r2 failed', { key: 'r2' });
      defaultLogger.warn('no context');
    });
    expect(warnings.map((w) => [w.message, w.detail])).toEqual([
      ['keepalive to r1 failed', '{"key":"r1","attempt":2}'],
      ['background reconnect to r2 failed', '{"key":"r2"}'],
      ['no context', undefined],
    ]);
  });

  it('drops info and debug, and a context JSON cannot hold still gives a detail', async () => {
    expect(defaultLogger.info).toBeUndefined();
    expect(defaultLogger.debug).toBeUndefined();
    const warnings = await warningsOf(() => defaultLogger.warn('odd context', { n: 1n }));
    expect(warnings[0]?.detail).toBe('n=1');
  });

  it('has the workspace shape: console fits as it is', () => {
    const logger: Logger = console;
    expect(typeof logger.warn).toBe('function');
  });
});
