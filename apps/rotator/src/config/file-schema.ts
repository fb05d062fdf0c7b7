// The config file as written (YAML or JSON), validated by zod. Every object is strict, so a
// misspelt key is an error naming it rather than a silently ignored setting. Cross-references
// (an SAE's KME, a device's SAE, a link's devices) are checked in cross-check.ts, after this.
import { isIP } from 'node:net';
import { z } from 'zod';
import { CIPHER_SUITES, EVENT_TRACE_FLAGS, PLATFORMS, checkCaName, checkHost, checkInterfaceName, checkKeyChainName } from '@qkd-macsec/macsec-config';

/** A check function from macsec-config (null = fine) as a zod refinement. */
function by(check: (value: unknown) => string | null) {
  return (value: unknown, ctx: z.RefinementCtx) => {
    const problem = check(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  };
}

// Messages for a wrong type only; a missing value reads "is required" and range checks keep zod's wording.
const typeError = (message: string) => (issue: { code?: string; input?: unknown }) =>
  issue.code !== 'invalid_type' ? undefined : issue.input === undefined ? 'is required' : message;
const nonEmpty = (what: string) => z.string({ error: typeError(`${what} must be a string`) }).min(1, { error: `${what} must not be empty` });
export const int = (what: string) => z.int({ error: typeError(`${what} must be an integer`) });
export const filePath = (what: string) => nonEmpty(`${what} (a file path)`);
export const id = (what: string) =>
  nonEmpty(what).regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]*$/, { error: `${what} may hold only letters, digits, "_", ".", ":", "@", "-"` });

// A secret is read from the environment or a file; inline text is accepted (with a warning from
// the loader) but never required.
const secretRef = z.union([z.string().min(1), z.strictObject({ env: nonEmpty('env (a variable name)') }), z.strictObject({ file: filePath('file') })], {
  error: 'must be { env: VARIABLE } or { file: PATH } (or, discouraged, an inline string)',
});
export type SecretRef = z.infer<typeof secretRef>;

export const kme = z.strictObject({
  url: z.url({ protocol: /^https$/, error: 'url must be an https:// URL (ETSI 014 is HTTPS only)' }),
  ca: filePath('ca').optional(),
  insecureSkipVerify: z.boolean().optional(),
  timeoutMs: int('timeoutMs').min(100).max(600_000).optional(),
});

export const sae = z.strictObject({
  kme: id('kme'),
  cert: filePath('cert'),
  key: filePath('key'),
});

const FINGERPRINT_FORM = 'fingerprint must be "SHA256:<43 Base64 characters>" as printed by ssh-keygen -lf';
const fingerprint = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, { error: FINGERPRINT_FORM });

const hostKey = z.strictObject({
  fingerprint: z.union([fingerprint, z.array(fingerprint).min(1)], { error: `${FINGERPRINT_FORM}, or a list of them` }).optional(),
  knownHosts: filePath('knownHosts').optional(),
  insecureAcceptAnyHostKey: z.boolean().optional(),
});

export const device = z.strictObject({
  host: z.string().superRefine(by(checkHost)),
  port: int('port').min(1).max(65535).default(830),
  username: nonEmpty('username'),
  password: secretRef.optional(),
  privateKey: z.strictObject({ file: filePath('privateKey.file'), passphrase: secretRef.optional() }).optional(),
  hostKey,
  sae: id('sae'),
  /** The device's platform family (macsec-config's profiles); absent: detected at init from its model. */
  platform: z.enum(PLATFORMS, { error: `platform must be one of ${PLATFORMS.join(', ')}` }).optional(),
  /** Each NETCONF request's budget (ms), a commit's included; absent: 60 s. */
  timeoutMs: int('timeoutMs').min(100).max(600_000).optional(),
});

const linkEnd = z.strictObject({
  device: nonEmpty('device'),
  interfaces: z.array(z.string().superRefine(by(checkInterfaceName))).min(1, { error: 'interfaces must list at least one interface' }),
});

const link = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,27}$/, {
    error: 'name must be 1..28 letters, digits, "_", ".", "-" starting with a letter or digit (it becomes part of Junos names)',
  }),
  master: linkEnd,
  slaves: z.array(linkEnd).min(1, { error: 'slaves must list at least one slave end' }),
  connectivityAssociation: z.string().superRefine(by(checkCaName)).optional(),
  keyChain: z.string().superRefine(by(checkKeyChainName)).optional(),
});

const ckn = z.discriminatedUnion(
  'strategy',
  [
    z.strictObject({ strategy: z.literal('sha256-keyid') }),
    z.strictObject({ strategy: z.literal('prefix-uuid'), prefix: z.string().regex(/^[0-9a-fA-F]{32}$/, { error: 'prefix must be exactly 32 hex digits' }) }),
  ],
  { error: 'strategy must be "sha256-keyid" or "prefix-uuid"' },
);

const rotation = z.strictObject({
  mode: z.enum(['key-chain', 'static-cak'], { error: 'mode must be "key-chain" (hitless) or "static-cak" (replace)' }).default('key-chain'),
  /** Absent: the default of the devices' platforms (platform-rules.ts), else gcm-aes-256. */
  cipherSuite: z.enum(CIPHER_SUITES, { error: `cipherSuite must be one of ${CIPHER_SUITES.join(', ')}` }).optional(),
  ckn: ckn.default({ strategy: 'sha256-keyid' }),
  leadTimeSeconds: int('leadTimeSeconds').min(1).max(86_400).default(120),
  intervalSeconds: int('intervalSeconds').min(1).max(31 * 86_400).default(3600),
  concurrency: int('concurrency').min(1).max(65_536).default(4096),
  confirmTimeoutMinutes: int('confirmTimeoutMinutes').min(1).max(65_535).default(5),
  /**
   * Place each new key's start-time beyond the confirm timeout (default true), so an end that never
   * gets its confirm rolls back before the key activates anywhere. false only for labs and demos.
   */
  startAfterConfirmTimeout: z.boolean({ error: 'startAfterConfirmTimeout must be true or false' }).default(true),
  /** While the state holds an unfinished transaction, the daemon tries to resolve it this often. */
  resumeRetrySeconds: int('resumeRetrySeconds').min(1).max(3600).default(5),
  /**
   * The key chains' `tolerance` (Junos: clock-skew tolerance for accepting keys, seconds), set by
   * init. 0 by default: a key is never accepted before its start-time (see the README).
   */
  keyChainTolerance: int('keyChainTolerance').min(0).max(4_294_967_295).default(0),
});

/** The connectivity associations' fallback-key: a QKD key of its own, rotated on a slower schedule. */
const fallback = z.strictObject({
  enabled: z.boolean({ error: 'enabled must be true or false' }).default(true),
  intervalHours: z.number({ error: 'intervalHours must be a number of hours' }).positive({ error: 'intervalHours must be greater than 0' }).max(24 * 366).default(168),
});

const window = z.strictObject({
  hours: z.array(z.int().min(0).max(23)).min(1),
  daysOfMonth: z.array(z.int().min(1).max(31)).min(1).optional(),
  weekdays: z.array(z.int().min(0).max(6)).min(1).optional(),
  utcOffsetMinutes: z.int().min(-840).max(840).optional(),
});

const certificates = z.strictObject({
  renewBeforeDays: z.number().positive().max(3650).default(30),
  checkIntervalHours: z.number().positive().max(24 * 366).default(24),
  maintenanceWindow: window.optional(),
  /** A local CA that `certs renew` signs with; without it, renew writes CSRs and instructions. */
  localCa: z.strictObject({ cert: filePath('cert'), key: filePath('key') }).optional(),
});

const word = (what: string) => z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: `${what} may hold only letters, digits, "_", ".", "-"` });

/** `event-options` for on-box runs, as macsec-config models it. */
const eventOptions = z.strictObject({
  generateEvents: z
    .array(
      z.strictObject({
        name: word('name'),
        timeInterval: int('timeInterval').min(60).max(2_592_000).optional(),
        timeOfDay: z.string().regex(/^\d\d:\d\d:\d\d( ?[+-]\d{4})?$/, { error: 'timeOfDay must be hh:mm:ss, optionally with +hhmm' }).optional(),
        startTime: z.string().regex(/^\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d$/, { error: 'startTime must be YYYY-MM-DD.hh:mm:ss' }).optional(),
        noDrift: z.boolean().optional(),
      }),
    )
    .optional(),
  policies: z.array(z.strictObject({ name: word('name'), events: z.array(word('event')).min(1), eventScripts: z.array(word('eventScript')).min(1) })).optional(),
  eventScripts: z.array(z.strictObject({ name: word('name'), pythonScriptUser: word('pythonScriptUser').optional() })).optional(),
  traceoptions: z
    .strictObject({ file: word('file').optional(), size: z.string().regex(/^\d+[kmg]?$/, { error: 'size must be bytes or a number with k, m or g' }).optional(), files: int('files').min(2).max(1000).optional(), flags: z.array(z.enum(EVENT_TRACE_FLAGS, { error: `flag must be one of ${EVENT_TRACE_FLAGS.join(', ')}` })).optional() })
    .optional(),
});

/** What `init` puts on every device besides the MACsec essentials. */
const init = z.strictObject({
  /** `system static-host-mapping NAME inet ADDR`, e.g. for KME host names the routers resolve. */
  staticHostMappings: z
    .array(
      z.strictObject({
        name: z.string().superRefine(by(checkHost)),
        inet: z.array(z.string().refine((a) => isIP(a) === 4, { error: 'inet must list IPv4 addresses' })).min(1, { error: 'inet must list at least one address' }),
      }),
    )
    .optional(),
  /** The field script's `apply-macro qkd` tags on each MACsec interface (kme-host, kme-port, kme-ca, kme-method…). */
  applyMacros: z
    .union([z.boolean(), z.strictObject({ kmeMethod: z.enum(['get', 'post']).optional(), kmeKeyidCheck: z.boolean().optional() })], {
      error: 'applyMacros must be true/false or { kmeMethod: get|post, kmeKeyidCheck: true|false }',
    })
    .optional(),
  eventOptions: eventOptions.optional(),
});

export const listen = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'listen must be HOST:PORT, e.g. 127.0.0.1:9464' });

/**
 * The daemon's control endpoint (the CLI's `rotate` and `status` go through it while a daemon runs).
 * Loopback without TLS by default; any other address needs mutual TLS (checked in cross-check.ts).
 */
const control = z.strictObject({
  listen: listen.default('127.0.0.1:0'),
  tls: z
    .strictObject({
      /** Verifies the peer on both sides: the daemon's server certificate and the CLI's client certificate. */
      ca: filePath('ca'),
      /** The daemon's server certificate and key (must name the host the CLI connects to). */
      cert: filePath('cert'),
      key: filePath('key'),
      /** The CLI's client certificate and key; default: cert and key above. */
      client: z.strictObject({ cert: filePath('cert'), key: filePath('key') }).optional(),
    })
    .optional(),
});

const AGENT_PIN_FORM = 'fingerprint must be "sha256:<64 hex digits>", the SHA-256 of the agent certificate\'s DER (`qkd-macsec certs issue` prints it)';
const agentPin = z.string().regex(/^sha256:[0-9a-fA-F]{64}$/, { error: AGENT_PIN_FORM });

/** How the coordinator reaches a site's agent: mutual TLS, the agent's certificate checked against ca (and the pins). */
const agent = z.strictObject({
  url: z.url({ protocol: /^https$/, error: 'url must be an https:// URL (the agent speaks mutual TLS only)' }),
  /** Verifies the agent's server certificate. */
  ca: filePath('ca'),
  /** The coordinator's client certificate and key. */
  cert: filePath('cert'),
  key: filePath('key'),
  fingerprint: z.union([agentPin, z.array(agentPin).min(1)], { error: `${AGENT_PIN_FORM}, or a list of them` }).optional(),
  timeoutMs: int('timeoutMs').min(100).max(600_000).optional(),
});

/**
 * A site whose KMEs and devices only its agent reaches: the coordinator knows their names, never
 * their credentials. A site device names its SAE and, optionally, its platform.
 */
const site = z.strictObject({
  agent,
  saes: z.array(id('SAE ID')).min(1, { error: 'saes must list at least one SAE at this site' }),
  devices: z
    .record(id('device name'), z.strictObject({ sae: id('sae'), platform: device.shape.platform }))
    .refine((r) => Object.keys(r).length > 0, { error: 'devices must name at least one device at this site' }),
});

export const configFileSchema = z.strictObject({
  // Empty (or absent) when sites cover every SAE and device; cross-check.ts wants one device somewhere.
  kmes: z.record(id('KME ID'), kme).default({}),
  saes: z.record(id('SAE ID'), sae).default({}),
  devices: z.record(id('device name'), device).default({}),
  sites: z.record(id('site name'), site).default({}),
  links: z.array(link).min(1, { error: 'links must list at least one link' }),
  rotation: rotation.default(rotation.parse({})),
  fallback: fallback.default(fallback.parse({})),
  stateDir: filePath('stateDir').default('./state'),
  certificates: certificates.default(certificates.parse({})),
  metrics: z.strictObject({ listen }).optional(),
  control: control.default(control.parse({})),
  init: init.optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;
