// The password the CLI gives every device without one: from a file or the environment, never
// from the command line, where every user of the machine can read it (ps, /proc/PID/cmdline).
// With neither, one is generated and written to a file of its own, never printed: stdout and
// stderr end up in supervisors' logs and CI output.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '@qkd-macsec/cli-kit';

export const PASSWORD_ENV = 'SIM_JUNOS_PASSWORD';

export const PASSWORD_ON_ARGV =
  `--password is not accepted: a password on the command line is visible to every user of the machine (ps). ` +
  `Put it in a file and pass --password-file FILE, or set ${PASSWORD_ENV}`;

/** `--password-file` wins over the environment; undefined when neither is given (passwords are generated). */
export function cliPassword(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { password: string; from: string } | undefined {
  if (file !== undefined) return { password: readPasswordFile(file), from: `--password-file ${file}` };
  const value = env[PASSWORD_ENV];
  if (value === undefined) return undefined;
  if (value === '') throw new UsageError(`${PASSWORD_ENV} is set but empty`);
  return { password: value, from: PASSWORD_ENV };
}

export interface GeneratedPassword {
  password: string;
  /** The file holding it (mode 0600, in a directory of its own, mode 0700), in the format --password-file reads. */
  file: string;
  /** Removes the file and its directory (at stop: the password dies with the devices). */
  remove(): void;
}

/** A random password for the devices without one, written to a new file under the system's temp directory. */
export function generatePassword(): GeneratedPassword {
  const password = randomBytes(18).toString('base64url');
  const dir = mkdtempSync(join(tmpdir(), 'sim-junos-'));
  const file = join(dir, 'password');
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return { password, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--password-file ${file}: cannot read: ${(e as Error).message}`);
  }
  // The line an editor or `echo` leaves at the end is not part of the password.
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new UsageError(`--password-file ${file}: the file is empty`);
  return password;
}
