// The one place that loads @peculiar/x509. Its dependency injection (tsyringe) throws at import
// time unless the Reflect metadata polyfill is already installed, so the polyfill must come first;
// every other module imports `x509` from here so the order cannot be got wrong. That import is
// the package's one side effect (package.json `sideEffects` names the built files holding it).
// No crypto provider is installed: every @peculiar/x509 call is handed `webcrypto` itself, so an
// application's own provider setting is neither changed nor relied on.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto as nodeWebcrypto } from 'node:crypto';

/** Node's WebCrypto (the same object as globalThis.crypto). All key generation and signing goes through it. */
export const webcrypto = nodeWebcrypto;

// WebCrypto types, taken from @types/node so that consumers need no DOM lib.
export type CryptoKey = nodeWebcrypto.CryptoKey;
export type CryptoKeyPair = nodeWebcrypto.CryptoKeyPair;
export type Algorithm = nodeWebcrypto.Algorithm;
export type RsaHashedKeyGenParams = nodeWebcrypto.RsaHashedKeyGenParams;
export type RsaHashedImportParams = nodeWebcrypto.RsaHashedImportParams;
export type EcKeyGenParams = nodeWebcrypto.EcKeyGenParams;
export type EcKeyImportParams = nodeWebcrypto.EcKeyImportParams;
export type EcdsaParams = nodeWebcrypto.EcdsaParams;

export { x509 };
