// ETSI GS QKD 014 v1.1.1 message schemas (clause 6). Pure data validation, no I/O, so that the
// client and the KME simulator agree on one definition of the wire format.
import { z } from 'zod';
import { listProblems } from './problems.js';

const saeId = z.string().min(1, 'SAE ID must not be empty');
const count = z.number().int().nonnegative();
// Any 8-4-4-4-12 hex form: real KMEs issue key_IDs that are not all RFC 9562 variant UUIDs.
const keyId = z.guid({ message: 'key_ID is not a UUID' });
const extension = z.record(z.string(), z.unknown());

/** Status (6.1): GET /api/v1/keys/{slave_SAE_ID}/status */
export const statusSchema = z.object({
  source_KME_ID: z.string().min(1),
  target_KME_ID: z.string().min(1),
  master_SAE_ID: saeId,
  slave_SAE_ID: saeId,
  key_size: count,
  stored_key_count: count,
  max_key_count: count,
  max_key_per_request: count,
  max_key_size: count,
  min_key_size: count,
  max_SAE_ID_count: count,
  status_extension: extension.optional(),
});
export type Status = z.infer<typeof statusSchema>;

/** Key request (6.2): POST /api/v1/keys/{slave_SAE_ID}/enc_keys */
export const keyRequestSchema = z.object({
  number: z.number().int().positive().optional(),
  size: z.number().int().positive().optional(),
  additional_slave_SAE_IDs: z.array(saeId).optional(),
  extension_mandatory: z.array(extension).optional(),
  extension_optional: z.array(extension).optional(),
});
export type KeyRequest = z.infer<typeof keyRequestSchema>;

const base64 = z
  .string()
  .min(1, 'key must not be empty')
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'key is not Base64');

/** Key container (6.3), the answer to enc_keys and dec_keys. */
export const keyContainerSchema = z.object({
  keys: z.array(
    z.object({
      key_ID: keyId,
      key_ID_extension: extension.optional(),
      key: base64,
      key_extension: extension.optional(),
    }),
  ),
  key_container_extension: extension.optional(),
});
export type KeyContainer = z.infer<typeof keyContainerSchema>;

/** Key IDs (6.4): POST /api/v1/keys/{master_SAE_ID}/dec_keys */
export const keyIdsSchema = z.object({
  key_IDs: z
    .array(z.object({ key_ID: keyId, key_ID_extension: extension.optional() }))
    .min(1, 'at least one key_ID is required'),
  key_IDs_extension: extension.optional(),
});
export type KeyIds = z.infer<typeof keyIdsSchema>;

/** Error (6.5), sent with 400 and 503. */
export const etsiErrorSchema = z.object({
  message: z.string(),
  details: z.array(z.record(z.string(), z.unknown())).optional(),
});
export type EtsiError = z.infer<typeof etsiErrorSchema>;

/** The 400 messages the spec fixes word for word. */
export const ETSI_400_MESSAGES = {
  sizeNotMultipleOf8: 'size shall be a multiple of 8',
  extensionMandatoryUnsupported: 'not all extension_mandatory parameters are supported',
  extensionMandatoryUnmet: 'not all extension_mandatory request options could be met',
  extensionOptionalUnhandled: 'not all extension_optional request options handled',
  keysNotFound: 'one or more keys specified are not found on KME',
} as const;

/**
 * Parses `value` with `schema`; the error names `what` and the bad fields by their path (the
 * first MAX_LISTED_PROBLEMS of them, then how many more).
 */
export function parseMessage<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  throw new TypeError(`invalid ${what}: ${listProblems(problems)}`);
}
