// `qkd-macsec certs ca|issue`: the certificates of the coordinator↔agent mutual TLS, through
// cert-lcm. `ca` makes a local CA; `issue agent SITE --host H…` a server certificate naming the
// agent's hosts; `issue coordinator` a client certificate (CN coordinator). Signed by
// --ca-cert/--ca-key or the config's certificates.localCa. Keys are written 0600, atomically, and
// never over an existing file without --force; each prints the SHA-256 pin to put in the config.
import { access, mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createCa, describeCertificate, issueCertificate, readCredentialFiles, writeCredentialFiles, type Credential } from '@qkd-macsec/cert-lcm';
import { checkHost } from '@qkd-macsec/macsec-config';
import { ConfigError, formatIssue, readLocalCaSetting } from '../../config/index.js';
import { CliExit, EXIT_OK, EXIT_USAGE, type CliDeps, type GlobalOptions } from '../context.js';
import { line } from '../io.js';

export interface CaOptions {
  out: string;
  cn?: string;
  days?: number;
  force?: boolean;
}

export interface IssueOptions {
  out: string;
  host?: string[];
  cn?: string;
  days?: number;
  caCert?: string;
  caKey?: string;
  force?: boolean;
}

const SITE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/;

/** "sha256:<64 lower-case hex>" of the certificate's DER: the form sites.*.agent.fingerprint and agent.yaml take. */
function certificatePin(credential: Credential): string {
  return `sha256:${describeCertificate(credential.certificate).sha256Fingerprint.replaceAll(':', '').toLowerCase()}`;
}

export async function certsCaCommand(deps: CliDeps, options: CaOptions): Promise<number> {
  const { io } = deps;
  const paths = { certPath: resolve(options.out, 'ca.pem'), keyPath: resolve(options.out, 'ca-key.pem') };
  await refuseOverwrite(io, paths, options.force);
  const ca = await createCa({ commonName: options.cn ?? 'qkd-macsec agents CA', validityDays: options.days ?? 3650, now: deps.clock?.() ?? new Date() });
  await writeCredentialFiles(paths, ca);
  const info = describeCertificate(ca.certificate);
  line(io.stdout, `CA ${info.subject}: ${paths.certPath}, key ${paths.keyPath} (mode 0600), valid until ${info.notAfter.toISOString()}`);
  line(io.stdout, `  sign with it: certificates: { localCa: { cert: ${paths.certPath}, key: ${paths.keyPath} } }  (or --ca-cert/--ca-key)`);
  line(io.stdout, `  keep ${paths.keyPath} off the agents and the coordinator's backups if you can: whoever holds it can mint an agent or a coordinator`);
  return EXIT_OK;
}

export async function certsIssueCommand(deps: CliDeps, global: GlobalOptions, role: 'agent' | 'coordinator', site: string | undefined, options: IssueOptions): Promise<number> {
  const { io } = deps;
  const usage = (message: string): never => {
    line(io.stderr, `certs issue: ${message}`);
    throw new CliExit(EXIT_USAGE);
  };
  const hosts = options.host ?? [];
  if (role === 'agent') {
    if (site === undefined) usage('name the site: certs issue agent SITE --host HOST');
    if (!SITE_NAME.test(site!)) usage(`site "${site}" may hold only letters, digits, "_", ".", ":", "@", "-"`);
    if (hosts.length === 0) usage('an agent certificate must name the host(s) the coordinator connects to: --host agent-dc1.example.net (repeatable; IP addresses too)');
  } else if (site !== undefined) usage(`a coordinator certificate takes no site (got "${site}")`);
  for (const h of hosts) {
    const problem = checkHost(h);
    if (problem !== null) usage(`--host: ${problem}`);
  }

  const issuer = await issuerOf(deps, global, options, usage);
  const name = role === 'agent' ? `agent-${site}` : 'coordinator';
  const paths = { certPath: join(resolve(options.out), `${name}.pem`), keyPath: join(resolve(options.out), `${name}-key.pem`) };
  await refuseOverwrite(io, paths, options.force);
  const credential = await issueCertificate({
    issuer,
    profile: role === 'agent' ? 'server' : 'client',
    commonName: options.cn ?? name,
    ...(hosts.some((h) => isIP(h) === 0) ? { dnsNames: hosts.filter((h) => isIP(h) === 0) } : {}),
    ...(hosts.some((h) => isIP(h) !== 0) ? { ipAddresses: hosts.filter((h) => isIP(h) !== 0) } : {}),
    validityDays: options.days ?? 365,
    now: deps.clock?.() ?? new Date(),
  });
  await writeCredentialFiles(paths, credential);
  const info = describeCertificate(credential.certificate);
  const pin = certificatePin(credential);
  const names = [...info.dnsNames.map((n) => `DNS:${n}`), ...info.ipAddresses.map((a) => `IP:${a}`)];
  line(io.stdout, `${role === 'agent' ? `agent ${site}` : 'coordinator'}: ${paths.certPath} (${info.subject}${names.length > 0 ? `, ${names.join(', ')}` : ''}, ${role === 'agent' ? 'server' : 'client'}, valid until ${info.notAfter.toISOString()})`);
  line(io.stdout, `  key ${paths.keyPath} (mode 0600), signed by ${describeCertificate(issuer.certificate).subject}`);
  line(io.stdout, `  pin ${pin}`);
  if (role === 'agent') {
    line(io.stdout, `  agent.yaml:       tls: { cert: ${paths.certPath}, key: ${paths.keyPath}, ca: <the CA that signs the coordinator's certificate> }`);
    line(io.stdout, `  coordinator file: sites.${site}.agent.fingerprint: "${pin}"  (optional pin; sites.${site}.agent.ca: this CA)`);
  } else {
    line(io.stdout, `  coordinator file: sites.<site>.agent: { cert: ${paths.certPath}, key: ${paths.keyPath}, … }`);
    line(io.stdout, `  each agent.yaml:  coordinator: { name: ${options.cn ?? name} }  (CA-verified), or coordinator: { fingerprint: "${pin}" }`);
  }
  return EXIT_OK;
}

/** --ca-cert/--ca-key (both), else the config's certificates.localCa, else a usage error saying how to get one. */
async function issuerOf(deps: CliDeps, global: GlobalOptions, options: IssueOptions, usage: (m: string) => never): Promise<Credential> {
  if ((options.caCert === undefined) !== (options.caKey === undefined)) usage('--ca-cert and --ca-key go together');
  let files = options.caCert !== undefined ? { certFile: resolve(options.caCert), keyFile: resolve(options.caKey!) } : undefined;
  if (files === undefined) {
    try {
      files = await readLocalCaSetting(global.config);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      usage(`no --ca-cert/--ca-key, and the config cannot give certificates.localCa: ${err.issues.map(formatIssue).join('; ')}`);
    }
    if (files === undefined) usage(`no CA to sign with: pass --ca-cert FILE --ca-key FILE, set certificates.localCa in ${resolve(global.config)}, or make one with \`qkd-macsec certs ca --out DIR\``);
  }
  try {
    return await readCredentialFiles({ certPath: files!.certFile, keyPath: files!.keyFile });
  } catch (err) {
    return usage(`the CA ${files!.certFile} + ${files!.keyFile} cannot be used: ${(err as Error).message}`);
  }
}

/** Refuses to replace an existing certificate or key (unless forced); makes the directory otherwise. */
async function refuseOverwrite(io: CliDeps['io'], paths: { certPath: string; keyPath: string }, force: boolean | undefined): Promise<void> {
  await mkdir(dirname(paths.certPath), { recursive: true });
  if (force === true) return;
  for (const p of [paths.certPath, paths.keyPath]) {
    const exists = await access(p).then(
      () => true,
      () => false,
    );
    if (exists) {
      line(io.stderr, `certs: ${p} exists; not overwriting it (--force replaces it)`);
      throw new CliExit(EXIT_USAGE);
    }
  }
}
