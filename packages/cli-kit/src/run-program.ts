// Running a commander program the way the simulators do: resolve to the exit code, never call
// process.exit (tests run the CLI in-process), and tell an error in one line on stderr.
import { EXIT_OK, exitCodeOf, isCommanderExit, type ErrorClass } from './exit-codes.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processIo: CliIo = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };

/** What runProgram needs of a commander Command (so that this package needs no commander of its own). */
interface Program {
  parseAsync(argv: readonly string[], options: { from: 'user' }): Promise<unknown>;
}

export interface RunProgramOptions {
  /** The command's name, before the message of an error that ends it. */
  name: string;
  io: CliIo;
  /** Errors that mean the command line or the configuration is wrong (exit 2); see exitCodeOf. */
  configuration?: readonly ErrorClass[];
}

export async function runProgram(program: Program, argv: readonly string[], options: RunProgramOptions): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    // Commander has printed its own message (and the help, for a usage error) already.
    if (!isCommanderExit(err)) options.io.stderr(`${options.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeOf(err, options.configuration);
  }
}
