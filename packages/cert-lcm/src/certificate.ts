// The certificate and CSR types of the public API. At run time they are @peculiar/x509 objects;
// the API types them by what it promises, because @peculiar/x509's own declarations import
// (through @peculiar/asn1-schema) the ESM-only @peculiar/utils, which a consumer type-checking
// with module node16 — CommonJS or ESM — cannot load (TS1479). Functions that take a
// certificate accept any object of this shape: one that is not ours is re-read from `rawData`.

/** Formats `toString` takes: PEM, or the DER bytes as text. */
export type EncodingFormat = 'pem' | 'hex' | 'base64' | 'base64url';

/** A parsed X.509 certificate (an @peculiar/x509 `X509Certificate` at run time). */
export interface Certificate {
  /** Distinguished name, e.g. "CN=SAE_A". */
  readonly subject: string;
  readonly issuer: string;
  /** Lower-case hex, as encoded. */
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The DER encoding. */
  readonly rawData: ArrayBuffer;
  /** PEM without a trailing newline by default. */
  toString(format?: EncodingFormat): string;
}

/** A parsed PKCS#10 certificate signing request (an @peculiar/x509 `Pkcs10CertificateRequest`). */
export interface CertificateRequest {
  readonly subject: string;
  /** The DER encoding. */
  readonly rawData: ArrayBuffer;
  toString(format?: EncodingFormat): string;
}
