// agent.yaml as written, validated by zod: the coordinator's kmes/saes/devices pieces (the same
// schema, so a device moved from the coordinator's file to its site agent's is pasted as it is)
// plus what only an agent has: its site, where it listens, its TLS, and who the coordinator is.
import { z } from 'zod';
import { device, filePath, id, int, kme, listen, sae } from '../../config/file-schema.js';

const nonEmptyRecord = <T extends z.ZodType>(what: string, key: z.ZodString, value: T) =>
  z.record(key, value).refine((r) => Object.keys(r).length > 0, { error: `${what} must name at least one entry` });

/** "sha256:<64 lower-case hex>": the SHA-256 of a certificate's DER. */
const certFingerprint = z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'fingerprint must be "sha256:<64 lower-case hex digits>" (the SHA-256 of the certificate DER)' });

const coordinator = z.union(
  [
    z.strictObject({ name: z.string().min(1).max(255) }),
    z.strictObject({ fingerprint: z.union([certFingerprint, z.array(certFingerprint).min(1)]) }),
  ],
  { error: 'coordinator must be { name: CN-or-SAN } (CA-verified) or { fingerprint: "sha256:…" } (pinned)' },
);

export const agentFileSchema = z.strictObject({
  site: id('site'),
  listen: listen.default('0.0.0.0:8443'),
  tls: z.strictObject({ cert: filePath('cert'), key: filePath('key'), ca: filePath('ca') }),
  coordinator,
  kmes: nonEmptyRecord('kmes', id('KME ID'), kme),
  saes: nonEmptyRecord('saes', id('SAE ID'), sae),
  devices: nonEmptyRecord('devices', id('device name'), device),
  /** A key not released by then is zeroed anyway. */
  keyTtlSeconds: int('keyTtlSeconds').min(1).max(86_400).default(900),
  stateDir: filePath('stateDir').optional(),
  metrics: z.strictObject({ listen }).optional(),
});

type AgentFile = z.infer<typeof agentFileSchema>;
