import { checkCertificate, createCa, issueCertificate, planRenewals } from '@qkd-macsec/cert-lcm';

const now = new Date();
const ca = await createCa({ commonName: 'qkd-lab CA', now });
const kme = await issueCertificate({
  issuer: ca, profile: 'server', commonName: 'KME_A',
  dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], now,
});
const saes = {
  SAE_A: await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_A', now }),
  SAE_B: await issueCertificate({ issuer: ca, profile: 'client', commonName: 'SAE_B', validityDays: 20, now }),
};
// kme.certPem / kme.keyPem and saes.SAE_A.certPem / .keyPem go straight into node:https.
console.log(`${kme}`); // Credential(CN=KME_A, serial …) — never the key

const report = checkCertificate(saes.SAE_B, { ca, now, profile: 'client', expectedCommonName: 'SAE_B' });
console.log(report.ok, report.problems.map((p) => `${p.severity}: ${p.message}`));

const plan = planRenewals(saes, { renewBeforeDays: 30, checkIntervalHours: 24, maintenanceWindow: { hours: [0, 1] } }, now);
for (const e of plan.entries) console.log(e.saeId, e.action, e.at.toISOString(), e.reasons.join('; '));
console.log('next check', plan.nextCheckAt.toISOString());
