// Loading a config file: parse YAML or JSON (positions in syntax errors), validate with zod,
// cross-check references, then resolve: absolute paths (relative ones are relative to the file's
// directory, `~` is the home directory), secrets read from env/files, referenced files checked
// to be readable. Every problem found is collected; none is fatal before the others are seen.
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { crossCheck } from './cross-check.js';
import { ConfigError, formatPath, type ConfigIssue } from './errors.js';
import { configFileSchema, type ConfigFile, type SecretRef } from './file-schema.js';
import { chooseCipherSuite } from './platform-rules.js';
import { resolveConfigPath } from './paths.js';
import { resolveSites } from './resolve-sites.js';
import { ConfigSecret } from './secret.js';
import type { EventOptions } from '@qkd-macsec/macsec-config';
import type { DeviceConfig, KmeConfig, LinkConfig, RotatorConfig, SaeConfig } from './types.js';

export interface LoadOptions {
  /** Environment for `{ env: NAME }` secrets. Default process.env. */
  env?: Record<string, string | undefined>;
}

export interface CheckResult {
  /** Set when there are no issues. */
  config?: RotatorConfig;
  issues: ConfigIssue[];
}

/** Load and resolve a config file; throws ConfigError listing every problem. */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<RotatorConfig> {
  return loadConfigFile(path, options, checkConfigText);
}

/** Like loadConfig, but returns the problems instead of throwing (for `validate`). */
export async function checkConfigFile(path: string, options: LoadOptions = {}): Promise<CheckResult> {
  return checkFile(path, options, checkConfigText);
}

/** What checks one kind of config file's text (the coordinator's, an agent's). */
export type CheckText<T> = (text: string, file: string, options: LoadOptions) => { config?: T; issues: ConfigIssue[] };

/** Reads a config file and checks its text; a file that cannot be read is an issue like any other. */
export async function checkFile<T>(path: string, options: LoadOptions, check: CheckText<T>): Promise<{ config?: T; issues: ConfigIssue[] }> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { issues: [{ path: '', message: `cannot read ${file}: ${describeFsError(err)}` }] };
  }
  return check(text, file, options);
}

/** checkFile, throwing ConfigError listing every problem. */
export async function loadConfigFile<T>(path: string, options: LoadOptions, check: CheckText<T>): Promise<T> {
  const result = await checkFile(path, options, check);
  if (result.config === undefined) throw new ConfigError(resolve(path), result.issues);
  return result.config;
}

/** Validate config text as if it were the file at `file` (relative paths resolve against its directory). */
export function checkConfigText(text: string, file: string, options: LoadOptions = {}): CheckResult {
  const data = parseText(text, file);
  if ('issues' in data) return { issues: data.issues };
  const parsed = configFileSchema.safeParse(data.value);
  if (!parsed.success) return { issues: parsed.error.issues.map(zodIssue) };
  const cross = crossCheck(parsed.data);
  if (cross.length > 0) return { issues: cross };
  return resolveConfig(parsed.data, file, options.env ?? process.env);
}

export function parseText(text: string, file: string): { value: unknown } | { issues: ConfigIssue[] } {
  if (text.trim() === '') return { issues: [{ path: '', message: `${file} is empty` }] };
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`;
        // The first line of yaml's message is the description; the rest is a source excerpt,
        // which could show a secret written inline.
        return { path: '', message: `${/\.json$/i.test(file) ? 'JSON' : 'YAML'} syntax error${where}: ${firstLine(e.message)}` };
      }),
    };
  }
  return { value: doc.toJS() };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

export function zodIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = formatPath(issue.path);
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return { path, message: 'is required' };
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  return { path, message: issue.message };
}

/** Paths resolved against the config file's directory, secrets read; problems collected, not thrown. */
export interface Resolver {
  abs(p: string): string;
  readable(at: string, p: string): string;
  secret(at: string, ref: SecretRef): ConfigSecret | undefined;
  issues: ConfigIssue[];
  warnings: string[];
}

export function createResolver(configPath: string, env: Record<string, string | undefined>): Resolver {
  const base = dirname(configPath);
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const abs = (p: string) => resolveConfigPath(base, p);
  const readable = (at: string, p: string): string => {
    const full = abs(p);
    try {
      accessSync(full, constants.R_OK);
      if (statSync(full).isDirectory()) issues.push({ path: at, message: `${full} is a directory, not a file` });
    } catch (err) {
      issues.push({ path: at, message: `${full} ${describeFsError(err)}` });
    }
    return full;
  };
  const secret = (at: string, ref: SecretRef): ConfigSecret | undefined => {
    if (typeof ref === 'string') {
      warnings.push(`${at} is written inline in the config file; prefer { env: NAME } or { file: PATH }`);
      return new ConfigSecret(ref, { kind: 'inline' });
    }
    if ('env' in ref) {
      const value = env[ref.env];
      if (value === undefined || value === '') {
        issues.push({ path: `${at}.env`, message: `environment variable ${ref.env} is ${value === undefined ? 'not set' : 'empty'}` });
        return undefined;
      }
      return new ConfigSecret(value, { kind: 'env', name: ref.env });
    }
    const full = abs(ref.file);
    try {
      const value = readFileSync(full, 'utf8').replace(/\r?\n$/, '');
      if (value === '') {
        issues.push({ path: `${at}.file`, message: `${full} is empty` });
        return undefined;
      }
      return new ConfigSecret(value, { kind: 'file', path: full });
    } catch (err) {
      issues.push({ path: `${at}.file`, message: `${full} ${describeFsError(err)}` });
      return undefined;
    }
  };

  return { abs, readable, secret, issues, warnings };
}

/** The kmes section, resolved (CA paths made absolute and checked). */
export function resolveKmes(file: ConfigFile['kmes'], r: Resolver): Record<string, KmeConfig> {
  const kmes: Record<string, KmeConfig> = {};
  for (const [id, k] of Object.entries(file)) {
    const insecure = k.insecureSkipVerify === true;
    if (insecure) r.warnings.push(`kmes.${id}.insecureSkipVerify: the certificate of KME ${id} (${k.url}) is NOT verified`);
    kmes[id] = {
      id,
      url: k.url,
      insecureSkipVerify: insecure,
      ...(k.ca !== undefined ? { caFile: r.readable(`kmes.${id}.ca`, k.ca) } : {}),
      ...(k.timeoutMs !== undefined ? { timeoutMs: k.timeoutMs } : {}),
    };
  }
  return kmes;
}

/** The saes section, resolved (certificate and key paths made absolute and checked). */
export function resolveSaes(file: ConfigFile['saes'], r: Resolver): Record<string, SaeConfig> {
  const saes: Record<string, SaeConfig> = {};
  for (const [id, s] of Object.entries(file)) {
    saes[id] = { id, kme: s.kme, certFile: r.readable(`saes.${id}.cert`, s.cert), keyFile: r.readable(`saes.${id}.key`, s.key) };
  }
  return saes;
}

/** The devices section, resolved (credentials read, host key policy made explicit). */
export function resolveDevices(file: ConfigFile['devices'], r: Resolver): Record<string, DeviceConfig> {
  const devices: Record<string, DeviceConfig> = {};
  for (const [name, d] of Object.entries(file)) {
    const at = `devices.${name}`;
    const insecure = d.hostKey.insecureAcceptAnyHostKey === true;
    if (insecure) r.warnings.push(`${at}.hostKey.insecureAcceptAnyHostKey: the SSH host key of ${d.host}:${d.port} is NOT verified when unknown`);
    const fp = d.hostKey.fingerprint;
    const device: DeviceConfig = {
      name,
      host: d.host,
      port: d.port,
      username: d.username,
      sae: d.sae,
      ...(d.platform !== undefined ? { platform: d.platform } : {}),
      ...(d.timeoutMs !== undefined ? { timeoutMs: d.timeoutMs } : {}),
      hostKey: {
        fingerprints: fp === undefined ? [] : Array.isArray(fp) ? fp : [fp],
        insecureAcceptAnyHostKey: insecure,
        ...(d.hostKey.knownHosts !== undefined ? { knownHostsFile: r.readable(`${at}.hostKey.knownHosts`, d.hostKey.knownHosts) } : {}),
      },
    };
    if (d.password !== undefined) {
      const pw = r.secret(`${at}.password`, d.password);
      if (pw !== undefined) device.password = pw;
    }
    if (d.privateKey !== undefined) {
      const key = r.secret(`${at}.privateKey`, { file: d.privateKey.file });
      const passphrase = d.privateKey.passphrase === undefined ? undefined : r.secret(`${at}.privateKey.passphrase`, d.privateKey.passphrase);
      if (key !== undefined) device.privateKey = { file: r.abs(d.privateKey.file), key, ...(passphrase !== undefined ? { passphrase } : {}) };
    }
    devices[name] = device;
  }
  return devices;
}

function resolveConfig(file: ConfigFile, configPath: string, env: Record<string, string | undefined>): CheckResult {
  const r = createResolver(configPath, env);
  const { abs, readable, issues, warnings } = r;
  const kmes = resolveKmes(file.kmes, r);
  const saes = resolveSaes(file.saes, r);
  const devices = resolveDevices(file.devices, r);

  const links: LinkConfig[] = file.links.map((l) => ({
    name: l.name,
    master: { device: l.master.device, interfaces: [...l.master.interfaces] },
    slaves: l.slaves.map((s) => ({ device: s.device, interfaces: [...s.interfaces] })),
    connectivityAssociation: l.connectivityAssociation ?? `qkd-${l.name}`,
    keyChain: l.keyChain ?? `qkd-${l.name}`,
  }));

  const c = file.certificates;
  const certificates: RotatorConfig['certificates'] = {
    renewBeforeDays: c.renewBeforeDays,
    checkIntervalHours: c.checkIntervalHours,
    ...(c.maintenanceWindow !== undefined ? { maintenanceWindow: c.maintenanceWindow } : {}),
    ...(c.localCa !== undefined
      ? { localCa: { certFile: readable('certificates.localCa.cert', c.localCa.cert), keyFile: readable('certificates.localCa.key', c.localCa.key) } }
      : {}),
  };

  const control: RotatorConfig['control'] = parseListen(file.control.listen);
  const t = file.control.tls;
  if (t !== undefined) {
    const certFile = readable('control.tls.cert', t.cert);
    const keyFile = readable('control.tls.key', t.key);
    control.tls = {
      caFile: readable('control.tls.ca', t.ca),
      certFile,
      keyFile,
      clientCertFile: t.client !== undefined ? readable('control.tls.client.cert', t.client.cert) : certFile,
      clientKeyFile: t.client !== undefined ? readable('control.tls.client.key', t.client.key) : keyFile,
    };
  }

  const sites = resolveSites(file.sites, readable);

  if (issues.length > 0) return { issues };
  const choice = chooseCipherSuite(file);
  if ('path' in choice) return { issues: [choice] }; // cross-check reported it already
  const suite = { cipherSuite: choice.cipherSuite, cipherSuiteFrom: choice.from };
  const config: RotatorConfig = {
    file: configPath,
    kmes,
    saes,
    devices,
    sites,
    links,
    rotation: { ...file.rotation, ...suite, ckn: { ...file.rotation.ckn } },
    fallback: { ...file.fallback },
    stateDir: abs(file.stateDir),
    certificates,
    control,
    warnings,
  };
  if (file.metrics !== undefined) config.metrics = parseListen(file.metrics.listen);
  if (file.init !== undefined) {
    const i = file.init;
    config.init = {
      ...(i.staticHostMappings !== undefined ? { staticHostMappings: i.staticHostMappings.map((m) => ({ name: m.name, inet: [...m.inet] })) } : {}),
      ...(i.applyMacros !== undefined ? { applyMacros: typeof i.applyMacros === 'boolean' ? i.applyMacros : dropUndefined(i.applyMacros) } : {}),
      ...(i.eventOptions !== undefined ? { eventOptions: dropUndefined(i.eventOptions) as EventOptions } : {}),
    };
  }
  return { config, issues: [] };
}

/** A copy without undefined-valued keys, recursively: the engine sees only what the file sets. */
function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map(dropUndefined) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)])) as T;
}

export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(listen.slice(i + 1)) };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'is not readable (permission denied)';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot be read (${code ?? String(err)})`;
}
