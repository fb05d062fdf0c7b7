import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorsWanted, createLogger } from './create-logger.js';
import { levelLogger } from './logger.js';

/** A stream that says it is a terminal, and keeps what is written to it. */
function terminal(): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  }) as Writable & { isTTY: boolean; text: () => string };
  s.isTTY = true;
  s.text = () => chunks.join('');
  return s;
}

afterEach(() => vi.unstubAllEnvs());

describe('createLogger', () => {
  it('colours pretty lines on a terminal, and not when NO_COLOR is set', () => {
    vi.stubEnv('NO_COLOR', '');
    const coloured = terminal();
    createLogger({ stream: coloured }).info('KME listening', { kme: 'KME_A' });
    expect(coloured.text()).toContain('\x1b[');
    vi.stubEnv('NO_COLOR', '1');
    const plain = terminal();
    createLogger({ stream: plain }).info('KME listening', { kme: 'KME_A' });
    expect(plain.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO sim-kme KME listening \{ kme: 'KME_A' \}\n$/);
  });

  it('colours nothing on a stream that is not a terminal', () => {
    expect(colorsWanted({ isTTY: false }, {})).toBe(false);
    expect(colorsWanted({}, {})).toBe(false);
    expect(colorsWanted({ isTTY: true }, {})).toBe(true);
    expect(colorsWanted({ isTTY: true }, { NO_COLOR: 'yes' })).toBe(false);
  });

  it('json: one object per line with time, level, name, msg and the context fields', () => {
    const s = terminal();
    const logger = createLogger({ stream: s, format: 'json', level: 'debug' });
    logger.debug('refused', { kme: 'KME_A', status: 401 });
    logger.silly('not at this level');
    const lines = s.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ time: expect.any(String), level: 'debug', name: 'sim-kme', msg: 'refused', kme: 'KME_A', status: 401 });
    expect(s.text()).not.toContain('\x1b[');
  });

  it('silent prints nothing', () => {
    const s = terminal();
    createLogger({ stream: s, level: 'silent' }).fatal('x');
    expect(s.text()).toBe('');
  });
});

describe('levelLogger', () => {
  it('fills the levels a logger lacks: error goes to warn, info and debug are dropped; a throwing logger is ignored', () => {
    const warned: unknown[][] = [];
    const l = levelLogger({ warn: (...a: unknown[]) => void warned.push(a) });
    l.error('internal error', { kme: 'K' });
    l.info('dropped');
    l.debug('dropped');
    expect(warned).toEqual([['internal error', { kme: 'K' }]]);
    expect(l.debugOn).toBe(false);
    const throwing = levelLogger({
      warn: () => {
        throw new Error('broken logger');
      },
    });
    expect(() => throwing.warn('x')).not.toThrow();
  });

  it('debugOn follows a tslog logger\'s level', () => {
    expect(levelLogger(createLogger({ level: 'info', stream: terminal() })).debugOn).toBe(false);
    expect(levelLogger(createLogger({ level: 'debug', stream: terminal() })).debugOn).toBe(true);
    expect(levelLogger(console).debugOn).toBe(true);
  });
});

describe('levelLogger over tslog', () => {
  it('a line without context ends with the message', () => {
    const s = terminal();
    levelLogger(createLogger({ stream: s, colors: false })).warn('no context here');
    expect(s.text()).toMatch(/ WARN sim-kme no context here\n$/);
  });
});
