// `qkd-macsec certs check|renew`, through cert-lcm. check: per SAE the days left, the renewal plan
// under the configured policy and every problem; exit 1 if any must be renewed now (or expired).
// renew: with certificates.localCa, renew on disk (new key, atomic, previous pair kept), prove
// the new credential against the SAE's KME, then confirm — or roll back if the KME refuses it.
// Without a local CA: write a CSR and the new key beside the certificate, and say what to do.
import { readFile } from 'node:fs/promises';
import {
  checkCertificate,
  confirmRenewal,
  createCsr,
  describeCertificate,
  planRenewals,
  readCredentialFiles,
  renewCredential,
  rollbackRenewal,
  writeFileAtomic,
  type PlannedRenewal,
  type Problem,
  type RenewalPolicy,
} from '@qkd-macsec/cert-lcm';
import { allDevices, type RotatorConfig } from '../../config/index.js';
import type { RotatorLogger } from '../../log/index.js';
import { kmeClientFactory } from '../../fleet/connectors.js';
import { CliExit, EXIT_FAILED, EXIT_OK, EXIT_USAGE, errorText, loadOrExit, lockOrExit, makeLogger, type CliDeps, type GlobalOptions } from '../context.js';
import { line } from '../io.js';
import { renderTable } from '../table.js';

export interface CertEntry {
  sae: string;
  file: string;
  subject?: string;
  notAfter?: string;
  daysLeft?: number;
  action: PlannedRenewal['action'] | 'unreadable';
  renewAt?: string;
  problems: string[];
}

async function policyOf(config: RotatorConfig): Promise<RenewalPolicy> {
  const c = config.certificates;
  return {
    renewBeforeDays: c.renewBeforeDays,
    checkIntervalHours: c.checkIntervalHours,
    ...(c.maintenanceWindow !== undefined ? { maintenanceWindow: c.maintenanceWindow } : {}),
    // Chain checks only against a CA we know signs SAE certificates; a KME's server CA may differ.
    ...(c.localCa !== undefined ? { ca: await readFile(c.localCa.certFile, 'utf8') } : {}),
  };
}

/** Reads every SAE certificate and plans its renewal. Unreadable files are entries, not exceptions. */
export async function checkCertificates(config: RotatorConfig, now: Date): Promise<CertEntry[]> {
  const policy = await policyOf(config);
  const entries: CertEntry[] = [];
  for (const sae of Object.values(config.saes)) {
    let pem: string;
    try {
      pem = await readFile(sae.certFile, 'utf8');
      const plan = planRenewals([{ saeId: sae.id, certificate: pem }], policy, now).entries[0]!;
      const report = checkCertificate(pem, {
        now,
        profile: 'client',
        warnDays: config.certificates.renewBeforeDays,
        source: sae.certFile,
        ...(policy.ca !== undefined ? { ca: policy.ca } : {}),
      });
      const problems = report.problems.map((p: Problem) => `${p.severity}: ${p.message}`);
      entries.push({
        sae: sae.id,
        file: sae.certFile,
        subject: describeCertificate(pem).subject,
        notAfter: plan.notAfter.toISOString(),
        daysLeft: plan.daysLeft,
        action: plan.action,
        ...(plan.action !== 'ok' ? { renewAt: plan.at.toISOString() } : {}),
        problems: [...problems, ...(plan.action === 'ok' ? [] : plan.reasons)],
      });
    } catch (err) {
      entries.push({ sae: sae.id, file: sae.certFile, action: 'unreadable', problems: [errorText(err)] });
    }
  }
  return entries;
}

export const mustRenewNow = (e: CertEntry) => e.action === 'renew-now' || e.action === 'expired' || e.action === 'unreadable';

export async function certsCheckCommand(deps: CliDeps, global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  const entries = await checkCertificates(config, deps.clock?.() ?? new Date());
  if (options.json) line(io.stdout, JSON.stringify({ certificates: entries }, null, 2));
  else {
    line(
      io.stdout,
      renderTable(
        ['SAE', 'days left', 'not after', 'action', 'problems'],
        entries.map((e) => [e.sae, e.daysLeft, e.notAfter, e.action + (e.renewAt !== undefined && e.action === 'renew-at' ? ` ${e.renewAt}` : ''), e.problems.join('; ')]),
      ),
    );
    const now = entries.filter(mustRenewNow).length;
    line(io.stdout, `\n${now === 0 ? `all ${entries.length} certificates fine for now` : `${now} of ${entries.length} certificates must be renewed now: run \`qkd-macsec certs renew\``}`);
  }
  return entries.some(mustRenewNow) ? EXIT_FAILED : EXIT_OK;
}

export interface RenewOptions {
  sae?: string[];
  /** Renew even when the plan says it is not due. */
  force?: boolean;
}

export async function certsRenewCommand(deps: CliDeps, global: GlobalOptions, options: RenewOptions): Promise<number> {
  const { io } = deps;
  const logger = makeLogger(io, global);
  const config = await loadOrExit(io, global, logger);
  const now = deps.clock?.() ?? new Date();
  const named = options.sae ?? [];
  const unknown = named.filter((s) => config.saes[s] === undefined);
  if (unknown.length > 0) {
    line(io.stderr, `unknown SAE ${unknown.join(', ')} (the config has: ${Object.keys(config.saes).join(', ')})`);
    throw new CliExit(EXIT_USAGE);
  }
  const entries = await checkCertificates(config, now);
  const chosen = entries.filter((e) => (named.length > 0 ? named.includes(e.sae) : true) && (options.force === true || named.length > 0 || mustRenewNow(e)));
  if (chosen.length === 0) {
    line(io.stdout, 'no certificate is due for renewal (use --force or --sae ID to renew anyway)');
    return EXIT_OK;
  }
  // Certificates the daemon's KME clients use: one writer at a time, the daemon included.
  const lock = await lockOrExit(deps, config, logger);
  try {
    return await renewChosen(io, config, chosen, now, logger);
  } finally {
    await lock.release();
  }
}

async function renewChosen(io: CliDeps['io'], config: RotatorConfig, chosen: CertEntry[], now: Date, logger: RotatorLogger): Promise<number> {
  let failed = 0;
  for (const entry of chosen) {
    const sae = config.saes[entry.sae]!;
    try {
      const text = config.certificates.localCa !== undefined ? await renewWithLocalCa(config, sae.id, now, logger) : await writeCsr(sae.certFile, sae.keyFile, entry.sae);
      line(io.stdout, `${sae.id}: ${text}`);
    } catch (err) {
      failed += 1;
      line(io.stdout, `${sae.id}: FAILED — ${errorText(err)}`);
    }
  }
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

async function renewWithLocalCa(config: RotatorConfig, saeId: string, now: Date, logger: RotatorLogger): Promise<string> {
  const sae = config.saes[saeId]!;
  const ca = config.certificates.localCa!;
  const issuer = await readCredentialFiles({ certPath: ca.certFile, keyPath: ca.keyFile });
  const paths = { certPath: sae.certFile, keyPath: sae.keyFile };
  const result = await renewCredential({ ...paths, signer: { issuer }, now });
  const info = describeCertificate(result.credential.certificate);
  // Prove the new pair on the wire before dropping the old one.
  const peer = peerOf(config, saeId);
  if (peer !== undefined) {
    const client = kmeClientFactory(config, { logger })(saeId);
    try {
      await client.getStatus(peer, { timeoutMs: 10_000 });
    } catch (err) {
      await rollbackRenewal(paths);
      throw new Error(`the KME refused the renewed certificate (${errorText(err)}); rolled back to the previous pair`);
    } finally {
      await client.close();
    }
  }
  await confirmRenewal(paths);
  return `renewed: serial ${info.serial}, valid until ${info.notAfter.toISOString()}${peer !== undefined ? `, accepted by KME ${sae.kme}` : ''} (was serial ${result.previous?.serial ?? '-'})`;
}

/** Any SAE this one shares a link with, to ask its KME for a status. */
function peerOf(config: RotatorConfig, saeId: string): string | undefined {
  const devices = allDevices(config);
  const saeOf = (device: string) => devices.get(device)!.sae;
  for (const link of config.links) {
    const saes = [saeOf(link.master.device), ...link.slaves.map((s) => saeOf(s.device))];
    if (saes.includes(saeId)) return saes.find((s) => s !== saeId);
  }
  return undefined;
}

async function writeCsr(certFile: string, keyFile: string, saeId: string): Promise<string> {
  const current = await readFile(certFile, 'utf8').then(
    (pem) => describeCertificate(pem),
    () => undefined,
  );
  const csr = await createCsr({
    commonName: current?.commonName ?? saeId,
    ...(current !== undefined && current.dnsNames.length > 0 ? { dnsNames: current.dnsNames } : {}),
    ...(current?.keyType !== undefined ? { keyType: current.keyType } : {}),
  });
  const csrPath = `${certFile}.csr`;
  const keyPath = `${keyFile}.next`;
  // Atomic and created at 0600: overwriting an older .next file never leaves the new key under its mode.
  await writeFileAtomic(keyPath, csr.keyPem, { mode: 0o600 });
  await writeFileAtomic(csrPath, csr.csrPem, { mode: 0o644 });
  return [
    `no certificates.localCa in the config: wrote a CSR to ${csrPath} and its new private key to ${keyPath} (mode 0600).`,
    `  Have the CA that your KMEs trust sign ${csrPath}, then replace ${certFile} with the signed certificate and ${keyFile} with ${keyPath}`,
    `  (keep the old pair until \`qkd-macsec validate --connect\` passes).`,
  ].join('\n');
}
