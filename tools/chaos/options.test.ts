import { describe, expect, it } from 'vitest';
import { parseOptions } from './options.js';

describe('parseOptions', () => {
  it('takes the documented options', () => {
    const o = parseOptions(['--links', '20', '--minutes', '30', '--rotations', '1000', '--seed', '7', '--json', 'out.json']);
    expect(o.json).toBe('out.json');
    expect(o.soak).toMatchObject({ links: 20, minutes: 30, rotations: 1000, seed: 7, minKills: 6, confirmMinuteMs: 3000 });
  });

  it('takes --help', () => {
    expect(parseOptions(['--help']).help).toBe(true);
    expect(parseOptions([]).help).toBeUndefined();
  });

  it('runs 30 minutes when neither --minutes nor --rotations is given, and only to the rotation budget when that is', () => {
    expect(parseOptions([]).soak.minutes).toBe(30);
    expect(parseOptions(['--rotations', '100']).soak.minutes).toBeUndefined();
  });

  it.each([
    [['--links', '1'], /--links must be a whole number 2\.\.500; got "1"/],
    [['--minutes', 'soon'], /--minutes must be a number of minutes > 0; got "soon"/],
    [['--rotations', '0'], /--rotations must be a whole number 1\.\./],
    [['--seed', '1.5'], /--seed must be a whole number/],
    [['--confirm-minute-ms', '50'], /--confirm-minute-ms must be a whole number 200\.\.60000/],
    [['--link', '3'], /Unknown option '--link'/],
  ])('refuses %j with a message naming the option', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
