// The topology `sim-junos` starts: a YAML/JSON file or the default two routers, with the command
// line's overrides applied.
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parse as parseYaml } from 'yaml';
import { defaultTopology, parseSimConfig, SimConfigError, type SimConfigFile } from '../config.js';

export interface TopologyOptions {
  config?: string;
  host: string;
  portBase?: number;
  sharedPort?: number;
  netconf11?: boolean;
  admin?: { host: string; port: number } | false;
  keyLog?: string;
  confirmMinuteMs?: number;
}

export const port = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return n;
};

/** "HOST:PORT" (IPv6 in brackets: "[::1]:8080") for --admin. */
export const hostPort = (v: string) => {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(v);
  if (!m) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:8400 (port 0: any free port)');
  return { host: (m[1] ?? m[2])!, port: port(m[3]!) };
};

export const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};

export function topologyOf(opts: TopologyOptions): SimConfigFile {
  const cfg = opts.config ? loadConfig(opts.config) : defaultTopology();
  cfg.host = opts.host;
  if (opts.sharedPort !== undefined) cfg.sharedPort = opts.sharedPort;
  Object.values(cfg.devices).forEach((d, i) => {
    if (opts.portBase !== undefined && d.port === undefined) d.port = opts.portBase === 0 ? 0 : opts.portBase + i;
    if (opts.netconf11) d.netconf11 = true;
  });
  // The admin endpoint is on by default here (an ephemeral loopback port), off with --no-admin.
  if (opts.admin === false) delete cfg.admin;
  else cfg.admin = opts.admin ?? cfg.admin ?? { host: '127.0.0.1', port: 0 };
  if (opts.keyLog !== undefined) cfg.keyLog = opts.keyLog;
  if (opts.confirmMinuteMs !== undefined) cfg.confirmMinuteMs = opts.confirmMinuteMs;
  return cfg;
}

function loadConfig(file: string): SimConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SimConfigError(`cannot read: ${(e as Error).message}`, file);
  }
  let data: unknown;
  try {
    data = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SimConfigError(`not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(e as Error).message}`, file);
  }
  parseSimConfig(data, file);
  return data as SimConfigFile;
}
