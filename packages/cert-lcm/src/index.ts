// The public API: what the README documents (and the types of those functions' options and
// results). Everything else is internal.
export { createCa, issueCertificate, type CreateCaOptions, type IssueCertificateOptions } from './create.js';
export { createCsr, parseCsr, signCsr, type CreateCsrOptions, type CsrWithKey, type SignCsrOptions, type SignedCertificate } from './csr.js';
export { loadCredential, type Credential } from './credential.js';
export { KEY_TYPES, DEFAULT_KEY_TYPE, type KeyType } from './key-types.js';
export type { Profile } from './build-certificate.js';
export { parseCertificates, parseCertificate, toPem, toDer } from './pem.js';
export { describeCertificate, fingerprint, type CertificateInfo, type CertificateInput } from './inspect.js';
export {
  assertCertificate,
  checkCertificate,
  validFor,
  verifyChain,
  type ChainResult,
  type CheckOptions,
  type CheckReport,
  type Problem,
  type ProblemCode,
} from './check.js';
export { inWindow, nextWindowStart, planRenewals, type MaintenanceWindow, type PlanInput, type PlannedRenewal, type RenewalAction, type RenewalPlan, type RenewalPolicy } from './plan.js';
export * from './errors.js';
export type { Certificate, CertificateRequest, EncodingFormat } from './certificate.js';
export { writeFileAtomic } from './atomic-write.js';
export { readCredentialFiles, writeCredentialFiles, type CredentialPaths } from './credential-files.js';
export {
  confirmRenewal,
  renewalState,
  renewCredential,
  rollbackRenewal,
  type RenewalSigner,
  type RenewalState,
  type RenewOptions,
  type RenewResult,
} from './renew.js';
export {
  fetchCaFromFile,
  fetchCaFromTlsServer,
  fetchCaFromUrl,
  fetchPresentedChain,
  type FetchedCa,
  type FetchFromUrlOptions,
  type PresentedChain,
  type PresentedChainOptions,
} from './fetch-ca.js';
export { renderJunosPki, uploadCredential, type JunosPkiCommands, type JunosPkiOptions, type Uploader, type UploadedFiles, type UploadOptions } from './junos.js';
