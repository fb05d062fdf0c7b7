import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, exitCodeOf, UsageError } from './exit-codes.js';
import { runProgram, type CliIo } from './run-program.js';

class ConfigError extends Error {}

function capture(): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

describe('exitCodeOf', () => {
  it('2 for a usage error or a configuration error named by the command, 1 for anything else', () => {
    expect([EXIT_OK, EXIT_FAILED, EXIT_USAGE]).toEqual([0, 1, 2]);
    expect(exitCodeOf(new UsageError('bad'))).toBe(2);
    expect(exitCodeOf(new ConfigError('bad'), [ConfigError])).toBe(2);
    expect(exitCodeOf(new ConfigError('bad'))).toBe(1);
    expect(exitCodeOf(new Error('port in use'), [ConfigError])).toBe(1);
    expect(exitCodeOf('a string')).toBe(1);
    expect(exitCodeOf(null)).toBe(1);
  });
});

describe('runProgram', () => {
  const program = (io: CliIo, action: () => void) =>
    new Command().name('x').version('1.0.0').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).option('--ok').action(action);

  it('0 after the action; --version and --help 0, printed by commander', async () => {
    const io = capture();
    expect(await runProgram(program(io, () => undefined), [], { name: 'x', io })).toBe(0);
    expect(await runProgram(program(io, () => undefined), ['--version'], { name: 'x', io })).toBe(0);
    expect(io.out).toBe('1.0.0\n');
    expect(io.err).toBe('');
  });

  it('an unknown option is 2, told once (by commander)', async () => {
    const io = capture();
    expect(await runProgram(program(io, () => undefined), ['--nope'], { name: 'x', io })).toBe(2);
    expect(io.err).toBe("error: unknown option '--nope'\n");
  });

  it('an error from the action is one line "NAME: message" on stderr; configuration errors 2, others 1', async () => {
    const io = capture();
    const failing = (err: Error) => () => {
      throw err;
    };
    expect(await runProgram(program(io, failing(new ConfigError('topo.yaml: bad'))), [], { name: 'x', io, configuration: [ConfigError] })).toBe(2);
    expect(await runProgram(program(io, failing(new Error('port 830 in use'))), [], { name: 'x', io, configuration: [ConfigError] })).toBe(1);
    expect(io.err).toBe('x: topo.yaml: bad\nx: port 830 in use\n');
    expect(io.out).toBe('');
  });
});
