// What `sim-kme serve` and `sim-kme pki` read: a config file, or the default two KMEs on the
// well-known ports; and the `--admin` address, loopback only.
import { InvalidArgumentError } from 'commander';
import { defaultConfigInput, isLoopbackHost, loadConfigFile, parseConfig, type SimKmeConfig } from '../config.js';

const DEFAULT_PORTS = { a: 8443, b: 8444 };

export function loadCliConfig(file: string | undefined): SimKmeConfig {
  return file === undefined ? parseConfig(defaultConfigInput(DEFAULT_PORTS), 'default configuration') : loadConfigFile(file);
}

/** `--admin HOST:PORT` (`[::1]:PORT` for IPv6), HOST a loopback address. */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT (e.g. 127.0.0.1:9000, [::1]:0), got "${value}"`);
  const host = (m[1] ?? m[2])!;
  if (!isLoopbackHost(host))
    throw new InvalidArgumentError(`${host} is not a loopback address; the admin endpoint has no authentication (use 127.0.0.1, ::1 or localhost)`);
  return { host, port };
}
