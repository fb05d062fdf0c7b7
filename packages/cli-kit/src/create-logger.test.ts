import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { colorsWanted, createLogger } from './create-logger.js';
import { levelLogger } from './level-logger.js';

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
    createLogger({ stream: coloured, name: 'sim-kme' }).info('KME listening', { kme: 'KME_A' });
    expect(coloured.text()).toContain('\x1b[');
    vi.stubEnv('NO_COLOR', '1');
    const plain = terminal();
    createLogger({ stream: plain, name: 'sim-kme' }).info('KME listening', { kme: 'KME_A' });
    expect(plain.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO sim-kme KME listening \{ kme: 'KME_A' \}\n$/);
  });

  it('reads NO_COLOR from the env given', () => {
    expect(createLoggerText({ env: { NO_COLOR: '1' } })).not.toContain('\x1b[');
    expect(createLoggerText({ env: {} })).toContain('\x1b[');
  });

  it('colours nothing on a stream that is not a terminal', () => {
    expect(colorsWanted({ isTTY: false }, {})).toBe(false);
    expect(colorsWanted({}, {})).toBe(false);
    expect(colorsWanted({ isTTY: true }, {})).toBe(true);
    expect(colorsWanted({ isTTY: true }, { NO_COLOR: 'yes' })).toBe(false);
  });

  it('json: one object per line with time, level, name, msg and the context fields', () => {
    const s = terminal();
    const logger = createLogger({ stream: s, format: 'json', level: 'debug', name: 'sim-junos' });
    logger.debug('refused', { device: 'r1', status: 401 });
    logger.silly('not at this level');
    const lines = s.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ time: expect.any(String), level: 'debug', name: 'sim-junos', msg: 'refused', device: 'r1', status: 401 });
    expect(s.text()).not.toContain('\x1b[');
  });

  it('without a name, no name in the line; an Error argument is { name, message }', () => {
    const s = terminal();
    createLogger({ stream: s, format: 'json' }).warn('failed', new TypeError('bad input'));
    expect(JSON.parse(s.text())).toEqual({ time: expect.any(String), level: 'warn', msg: 'failed', error: { name: 'TypeError', message: 'bad input' } });
    const p = terminal();
    createLogger({ stream: p, colors: false }).warn('no name here');
    expect(p.text()).toMatch(/Z WARN no name here\n$/);
  });

  it('silent prints nothing', () => {
    const s = terminal();
    createLogger({ stream: s, level: 'silent' }).fatal('x');
    expect(s.text()).toBe('');
  });

  it('maskKeys: values under those keys print as [redacted], at any depth and in any case', () => {
    const s = terminal();
    createLogger({ stream: s, format: 'json', maskKeys: ['password'] }).info('login', { user: 'a', nested: { PassWord: 'hunter2' } });
    expect(JSON.parse(s.text())).toMatchObject({ user: 'a', nested: { PassWord: '[redacted]' } });
    expect(s.text()).not.toContain('hunter2');
  });

  it('redact sees every finished line, pretty (context uncoloured) and JSON', () => {
    const redact = (line: string) => line.replaceAll('s3cret', '[redacted]');
    const pretty = terminal();
    createLogger({ stream: pretty, env: {}, redact }).info('got s3cret', { value: 's3cret' });
    expect(pretty.text()).not.toContain('s3cret');
    expect(pretty.text()).toContain("value: '[redacted]'");
    const json = terminal();
    createLogger({ stream: json, format: 'json', redact }).info('got', { value: 's3cret' });
    expect(JSON.parse(json.text())).toMatchObject({ value: '[redacted]' });
  });

  it('jsonLine changes each JSON line last; a sub-logger\'s fields come before msg', () => {
    const s = terminal();
    const logger = createLogger({ stream: s, format: 'json', jsonLine: (l) => ({ ...l, extra: true }) });
    logger.getSubLogger({}, { link: 'l1' }).info('hello', { n: 1 });
    expect(Object.keys(JSON.parse(s.text()) as object)).toEqual(['time', 'level', 'link', 'msg', 'n', 'extra']);
  });
});

function createLoggerText(opts: { env: Record<string, string | undefined> }): string {
  const s = terminal();
  createLogger({ stream: s, ...opts }).warn('hello');
  return s.text();
}

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

  it("debugOn follows a tslog logger's level", () => {
    expect(levelLogger(createLogger({ level: 'info', stream: terminal() })).debugOn).toBe(false);
    expect(levelLogger(createLogger({ level: 'debug', stream: terminal() })).debugOn).toBe(true);
    expect(levelLogger(createLogger({ level: 'silent', stream: terminal() })).debugOn).toBe(false);
    expect(levelLogger(console).debugOn).toBe(true);
  });

  it('a line without context ends with the message', () => {
    const s = terminal();
    levelLogger(createLogger({ stream: s, colors: false, name: 'sim-kme' })).warn('no context here');
    expect(s.text()).toMatch(/ WARN sim-kme no context here\n$/);
  });
});
