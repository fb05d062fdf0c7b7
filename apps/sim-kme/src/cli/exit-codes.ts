// The exit codes every qkd-macsec command shares: 0 done, 1 failed while running (a port in use,
// a file that cannot be written), 2 the command line or the configuration is wrong — fix it
// and run again.
import { CertLcmError } from '@qkd-macsec/cert-lcm';
import { SimKmeConfigError } from '../config.js';
import { SimPkiError } from '../pki.js';

export const EXIT_OK = 0;
const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function exitCodeOf(err: unknown): number {
  // The PKI files and the certificates a config file names are configuration too.
  const configuration = err instanceof SimKmeConfigError || err instanceof SimPkiError || err instanceof CertLcmError;
  return configuration ? EXIT_USAGE : EXIT_FAILED;
}
