export { createCa, issueCertificate, type CreateCaOptions, type IssueCertificateOptions } from './create.js';
export { loadCredential, certificateMatchesKey, type Credential } from './credential.js';
export { KEY_TYPES, DEFAULT_KEY_TYPE, type KeyType } from './key-types.js';
export type { Profile } from './build-certificate.js';
export { parseCertificates, parseCertificate, toPem, toDer } from './pem.js';
export * from './errors.js';
export { x509, webcrypto, type CryptoKey, type CryptoKeyPair } from './x509.js';
