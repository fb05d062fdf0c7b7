// The agent HTTP API's bodies, shared by the agent (which validates what it is asked) and the
// client (which validates what it is answered). Every object is strict and every string bounded,
// and no schema has a field that could carry a key, a CAK or a device secret: where a MacsecConfig
// holds a Secret, the wire holds a reference — {key: key_ID} (the CAK of a key the agent holds) or
// {device, ckn} (the secret that device already holds for that CKN). schemas.test.ts walks them all.
import { CIPHER_SUITES, EXCLUDE_PROTOCOLS, KEY_ALGORITHMS, KEY_OPTIONS, OFFSETS, SECURITY_MODES, checkCaName, checkCkn, checkInterfaceName, checkKeyChainName } from '@qkd-macsec/macsec-config';
import { z } from 'zod';

const by = (check: (value: unknown) => string | null) => (value: unknown, ctx: z.RefinementCtx) => {
  const problem = check(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
};

/** Names (SAE IDs, device names, link names, user names): the config's id characters, bounded. */
const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/, { error: 'must be 1..128 letters, digits, "_", ".", ":", "@", "-"' });
/** A request's idempotency key. */
const requestIdSchema = z.uuid({ error: 'requestId must be a UUID' });
/** A transaction (the engine's cycle ID). */
const txSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, { error: 'tx must be 1..128 letters, digits, "_", ".", ":", "-"' });
/** An ETSI 014 key_ID (a UUID, any variant). */
const keyIdSchema = z.guid({ error: 'key ID must be a UUID' });
const cknSchema = z.string().max(64).superRefine(by(checkCkn));
const cipherSuite = z.enum(CIPHER_SUITES);
const kind = z.enum(['primary', 'fallback']);
const text = (max: number) => z.string().max(max);

const cknStrategySchema = z.discriminatedUnion('strategy', [
  z.strictObject({ strategy: z.literal('sha256-keyid') }),
  z.strictObject({ strategy: z.literal('prefix-uuid'), prefix: z.string().regex(/^[0-9a-fA-F]{32}$/) }),
]);

/** A Secret on the wire: only ever a reference. */
const wireSecretSchema = z.union([z.strictObject({ key: keyIdSchema }), z.strictObject({ device: nameSchema, ckn: cknSchema })]);
export type WireSecret = z.infer<typeof wireSecretSchema>;

const wirePsk = z.strictObject({ ckn: cknSchema, cak: wireSecretSchema });

const wireCa = z.strictObject({
  name: z.string().max(64).superRefine(by(checkCaName)),
  securityMode: z.enum(SECURITY_MODES).optional(),
  cipherSuite: cipherSuite.optional(),
  preSharedKey: wirePsk.optional(),
  preSharedKeyChain: z.string().max(64).superRefine(by(checkKeyChainName)).optional(),
  fallbackKey: wirePsk.optional(),
  mka: z
    .strictObject({
      keyServerPriority: z.int().min(0).max(255).optional(),
      transmitInterval: z.int().min(0).max(100_000).optional(),
      sakRekeyInterval: z.int().min(0).max(1_000_000).optional(),
      shouldSecure: z.boolean().optional(),
    })
    .optional(),
  excludeProtocols: z.array(z.enum(EXCLUDE_PROTOCOLS)).max(8).optional(),
  includeSci: z.boolean().optional(),
  offset: z.union(OFFSETS.map((o) => z.literal(o))).optional(),
  replayProtect: z.strictObject({ replayWindowSize: z.int().min(0).max(4_294_967_295).optional() }).optional(),
});

const wireInterface = z.strictObject({
  name: z.string().max(64).superRefine(by(checkInterfaceName)),
  connectivityAssociation: z.string().max(64).optional(),
  qkd: z
    .strictObject({
      kmeHost: text(256).optional(),
      kmePort: z.int().min(1).max(65535).optional(),
      kmeCa: z.boolean().optional(),
      kmeKeyidCheck: z.boolean().optional(),
      kmeMethod: z.enum(['get', 'post']).optional(),
    })
    .optional(),
});

const wireChainKey = z.strictObject({
  index: z.int().min(0).max(63),
  keyName: cknSchema.optional(),
  secret: wireSecretSchema.optional(),
  startTime: text(40).optional(),
  inactive: z.boolean().optional(),
  algorithm: z.enum(KEY_ALGORITHMS).optional(),
  options: z.enum(KEY_OPTIONS).optional(),
});

const wireChain = z.strictObject({
  name: z.string().max(64).superRefine(by(checkKeyChainName)),
  description: text(256).optional(),
  tolerance: z.int().min(0).max(4_294_967_295).optional(),
  keys: z.array(wireChainKey).max(64),
});

const word = text(128);
const wireEventOptions = z.strictObject({
  generateEvents: z
    .array(z.strictObject({ name: word, timeInterval: z.int().optional(), timeOfDay: text(32).optional(), startTime: text(40).optional(), noDrift: z.boolean().optional() }))
    .max(256)
    .optional(),
  policies: z.array(z.strictObject({ name: word, events: z.array(word).max(64), eventScripts: z.array(word).max(64) })).max(256).optional(),
  eventScripts: z.array(z.strictObject({ name: word, pythonScriptUser: word.optional() })).max(256).optional(),
  traceoptions: z.strictObject({ file: word.optional(), size: text(32).optional(), files: z.int().optional(), flags: z.array(word).max(16).optional() }).optional(),
});

const wireHostMapping = z.strictObject({
  name: text(256),
  inet: z.array(text(64)).max(64).optional(),
  inet6: z.array(text(64)).max(64).optional(),
  alias: z.array(text(256)).max(64).optional(),
});

/** macsec-config's MacsecConfig with every Secret replaced by a reference. */
export const wireConfigSchema = z.strictObject({
  connectivityAssociations: z.array(wireCa).max(4096).optional(),
  interfaces: z.array(wireInterface).max(4096).optional(),
  keyChains: z.array(wireChain).max(4096).optional(),
  eventOptions: wireEventOptions.optional(),
  staticHostMappings: z.array(wireHostMapping).max(1024).optional(),
});
export type WireConfig = z.infer<typeof wireConfigSchema>;

const deleteTarget = z.union([
  z.strictObject({ kind: z.enum(['connectivity-association', 'macsec-interface', 'key-chain', 'generate-event', 'event-policy', 'event-script-file', 'static-host-mapping']), name: text(256) }),
  z.strictObject({ kind: z.literal('key-chain-key'), chain: text(64), index: z.int().min(0).max(63) }),
]);

const wireChangeSchema = z.strictObject({ config: wireConfigSchema, delete: z.array(deleteTarget).max(16_384) });
export type WireChange = z.infer<typeof wireChangeSchema>;

const wireLoadSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('merge'), change: wireChangeSchema }),
  z.strictObject({ action: z.literal('replace'), config: wireConfigSchema }),
  z.strictObject({ action: z.literal('remove-login-user'), user: nameSchema }),
  z.strictObject({ action: z.literal('remove-event-traceoptions') }),
]);
export type WireLoad = z.infer<typeof wireLoadSchema>;

const comment = text(512);
const confirmMinutes = z.int().min(1).max(65_535);

// ---- requests ----
const encKeyRequestSchema = z.strictObject({
  requestId: requestIdSchema,
  tx: txSchema,
  link: nameSchema,
  masterSae: nameSchema,
  slaveSaes: z.array(nameSchema).min(1).max(64),
  cipherSuite,
  ckn: cknStrategySchema,
  kind,
});
const decKeyRequestSchema = z.strictObject({
  requestId: requestIdSchema,
  tx: txSchema,
  link: nameSchema,
  sae: nameSchema,
  masterSae: nameSchema,
  keyId: keyIdSchema,
  cipherSuite,
  ckn: cknStrategySchema,
  kind,
});
const endTxRequestSchema = z.strictObject({ requestId: requestIdSchema, tx: txSchema });
const deviceRequestSchema = z.strictObject({ requestId: requestIdSchema, device: nameSchema });
const readRequestSchema = deviceRequestSchema.extend({
  parts: z.strictObject({ staticHostMappings: z.boolean().optional(), eventOptions: z.boolean().optional() }).optional(),
});
const commitRequestSchema = deviceRequestSchema.extend({ tx: txSchema.optional(), loads: z.array(wireLoadSchema).min(1).max(16), comment, confirmMinutes: confirmMinutes.optional() });
const confirmPendingRequestSchema = deviceRequestSchema.extend({ tx: txSchema.optional(), change: wireChangeSchema.optional(), comment });
const stageRequestSchema = deviceRequestSchema.extend({ tx: txSchema, change: wireChangeSchema, comment, confirmMinutes });
const confirmStagedRequestSchema = deviceRequestSchema.extend({ tx: txSchema, change: wireChangeSchema.optional(), comment });
const releaseStagedRequestSchema = deviceRequestSchema.extend({ tx: txSchema });

// ---- responses ----
const keyInfoSchema = z.strictObject({ keyId: keyIdSchema, ckn: cknSchema, bits: z.int().min(8).max(65_536), check: z.string().regex(/^[0-9a-f]{16}$/) });
const releasedSchema = z.strictObject({ released: z.int().min(0) });
const readResponseSchema = z.strictObject({ config: wireConfigSchema });
const usersResponseSchema = z.strictObject({ users: z.array(nameSchema).max(4096) });
const optText = (max: number) => text(max).optional();
const factsResponseSchema = z.strictObject({
  facts: z.strictObject({ hostname: optText(256), model: optText(128), version: optText(128), serialNumber: optText(128) }),
});
const mkaSession = z.strictObject({
  interface: text(64),
  state: optText(128),
  secured: z.boolean(),
  cakType: optText(64),
  ckn: optText(64),
  memberIdentifier: optText(128),
  transmitIntervalMs: z.number().optional(),
  outboundSci: optText(128),
  messageNumber: z.number().optional(),
  keyNumber: z.number().optional(),
  keyServer: z.boolean().optional(),
  keyServerPriority: z.number().optional(),
  latestSakAn: z.number().optional(),
  latestSakKi: optText(128),
  sakInstalled: z.boolean(),
  caks: z.array(z.strictObject({ ckn: optText(64), type: optText(64), state: optText(64) })).max(64),
});
const sessionsResponseSchema = z.strictObject({ sessions: z.array(mkaSession).max(4096) });
const doneSchema = z.strictObject({ ok: z.literal(true) });
export const checkResponseSchema = z.strictObject({
  site: nameSchema,
  kmes: z.array(z.strictObject({ sae: nameSchema, slave: nameSchema, ok: z.boolean(), message: optText(1024) })).max(4096),
  devices: z.array(z.strictObject({ device: nameSchema, ok: z.boolean(), model: optText(128), version: optText(128), message: optText(1024) })).max(4096),
});
export const healthSchema = z.strictObject({ ok: z.boolean(), site: nameSchema, keysHeld: z.int().min(0) });

/** What every refusal looks like: a code a client can act on and a message a human can. */
export const errorBodySchema = z.strictObject({ error: z.strictObject({ code: text(64), message: text(2048) }) });
type ErrorBody = z.infer<typeof errorBodySchema>;

/** The POST endpoints: path, request body, answer body. */
export const ENDPOINTS = {
  encKey: { path: '/v1/keys/enc', request: encKeyRequestSchema, response: keyInfoSchema },
  decKey: { path: '/v1/keys/dec', request: decKeyRequestSchema, response: keyInfoSchema },
  endTx: { path: '/v1/tx/end', request: endTxRequestSchema, response: releasedSchema },
  read: { path: '/v1/devices/read', request: readRequestSchema, response: readResponseSchema },
  loginUsers: { path: '/v1/devices/login-users', request: deviceRequestSchema, response: usersResponseSchema },
  facts: { path: '/v1/devices/facts', request: deviceRequestSchema, response: factsResponseSchema },
  mka: { path: '/v1/devices/mka', request: deviceRequestSchema, response: sessionsResponseSchema },
  commit: { path: '/v1/devices/commit', request: commitRequestSchema, response: doneSchema },
  confirmPending: { path: '/v1/devices/confirm-pending', request: confirmPendingRequestSchema, response: doneSchema },
  stage: { path: '/v1/devices/stage', request: stageRequestSchema, response: doneSchema },
  confirmStaged: { path: '/v1/devices/confirm-staged', request: confirmStagedRequestSchema, response: doneSchema },
  releaseStaged: { path: '/v1/devices/release-staged', request: releaseStagedRequestSchema, response: doneSchema },
} as const;
export type EndpointName = keyof typeof ENDPOINTS;
export type RequestOf<E extends EndpointName> = z.infer<(typeof ENDPOINTS)[E]['request']>;
export type ResponseOf<E extends EndpointName> = z.infer<(typeof ENDPOINTS)[E]['response']>;

/**
 * Several POSTs in one exchange (POST /v1/batch): each item is an ordinary request of its endpoint,
 * with its own requestId — retried alone or inside another batch, it is still done once. The
 * agent answers 200 with one JSON line per item as each finishes (application/x-ndjson, any
 * order): {i: its index, status: what the item alone would have been answered, body}.
 */
export const BATCH_PATH = '/v1/batch';
export const MAX_BATCH_ITEMS = 4096;
const endpointNames = Object.keys(ENDPOINTS) as EndpointName[];
export const batchRequestSchema = z.strictObject({
  items: z
    .array(z.discriminatedUnion('endpoint', endpointNames.map((name) => z.strictObject({ endpoint: z.literal(name), body: ENDPOINTS[name].request })) as unknown as [z.ZodObject, ...z.ZodObject[]]))
    .min(1)
    .max(MAX_BATCH_ITEMS),
});
export type BatchRequest = { items: Array<{ [E in EndpointName]: { endpoint: E; body: RequestOf<E> } }[EndpointName]> };
/** One line of a batch's answer; `body` is the item's endpoint answer (status 200) or an error body. */
export const batchAnswerLineSchema = z.strictObject({
  i: z.int().min(0).max(MAX_BATCH_ITEMS - 1),
  status: z.int().min(100).max(599),
  body: z.union([...endpointNames.map((name) => ENDPOINTS[name].response), errorBodySchema] as unknown as [z.ZodType, ...z.ZodType[]]),
});

/** The GET endpoints. */
export const GET_PATHS = { health: '/healthz', metrics: '/metrics', check: '/v1/check' } as const;

/** The largest request body an agent reads (a full-device replace of a big box fits well inside). */
export const MAX_BODY_BYTES = 4 << 20;

export type AgentCheck = z.infer<typeof checkResponseSchema>;
