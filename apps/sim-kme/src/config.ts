// The simulator's configuration: which KMEs exist, which SAEs attach to which KME, which KMEs
// share a simulated QKD link, and the limits each link's key pool reports in its Status.
// One zod schema serves the YAML/JSON file of `sim-kme serve` and the `startSimKme` library call.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const id = z.string().min(1, 'expected a non-empty string');
const port = z
  .number({ error: 'expected a number 0..65535' })
  .int('expected a number 0..65535')
  .min(0, 'expected a number 0..65535')
  .max(65535, 'expected a number 0..65535');
const fraction = z.number({ error: 'expected a number 0..1' }).min(0, 'expected a number 0..1').max(1, 'expected a number 0..1');
const bits = z.number({ error: 'expected a whole number of bits' }).int('expected a whole number of bits');

/** Fault injection for tests; each rate is the fraction of requests that get the fault. */
export const faultsSchema = z
  .object({
    /** Added to every request before it is answered. */
    latencyMs: z.number({ error: 'expected a number of milliseconds >= 0' }).min(0, 'expected a number of milliseconds >= 0').default(0),
    /** Answer 503 with an ETSI Error instead of serving the request. */
    unavailableRate: fraction.default(0),
    /** Destroy the TLS connection without answering. */
    dropRate: fraction.default(0),
    /** Answer 200 with a body that is not a valid ETSI message. */
    malformedRate: fraction.default(0),
    /** Never answer: the request hangs until the client gives up or the server closes. */
    stallRate: fraction.default(0),
    /**
     * A KME bug the SAE must catch (say, a KME restored from a snapshot): this fraction of the keys
     * enc_keys issues get a key_ID this KME issued before, the latest first (with new key material;
     * the slave's dec_keys then finds it under that ID).
     */
    reusedKeyIdRate: fraction.default(0),
  })
  .strict();
export type Faults = z.output<typeof faultsSchema>;
export type FaultsInput = z.input<typeof faultsSchema>;

/** Validates faults (defaults filled in); the error names each bad field, e.g. `dropRate: expected a number 0..1`. */
export function checkFaults(input: unknown): { faults: Faults } | { error: string } {
  const result = faultsSchema.safeParse(input);
  if (result.success) return { faults: result.data };
  const known = Object.keys(faultsSchema.shape).join(', ');
  const problems = result.error.issues.map((i) =>
    i.code === 'unrecognized_keys' ? `${i.keys.join(', ')}: unknown fault (known: ${known})` : `${formatPath(i.path)}: ${i.message}`,
  );
  return { error: problems.join('; ') };
}

/** Loopback names and addresses: the only places the unauthenticated admin endpoint may listen. */
export function isLoopbackHost(host: string): boolean {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(h);
}

const millis = z
  .number({ error: 'expected a whole number of milliseconds >= 1' })
  .int('expected a whole number of milliseconds >= 1')
  .min(1, 'expected a whole number of milliseconds >= 1');

/** Node's HTTP server limits on how long a client may take to send a request. */
export const DEFAULT_HTTP_TIMEOUTS = { headersTimeoutMs: 5_000, requestTimeoutMs: 10_000 } as const;

/** Per-link pool and the limits its Status reports; `defaults` fills what a link leaves out. */
const limitsShape = {
  /** key_size: the default key size in bits, also the unit of stored_key_count. */
  keySize: bits.positive('expected a positive number of bits'),
  minKeySize: bits.positive('expected a positive number of bits'),
  maxKeySize: bits.positive('expected a positive number of bits'),
  /** max_key_count: the pool holds at most this many keys of keySize. */
  maxKeyCount: z.number().int().positive('expected a positive whole number'),
  maxKeyPerRequest: z.number().int().positive('expected a positive whole number'),
  /** max_SAE_ID_count: how many additional_slave_SAE_IDs a request may name (0 = no multicast). */
  maxSaeIdCount: z.number().int().nonnegative('expected a whole number >= 0'),
  /** Simulated QKD key rate in bits per second that refills the pool. */
  keyRateBps: z.number().nonnegative('expected bits per second >= 0'),
  /** Fraction of the pool filled at start. */
  initialFill: fraction,
};
const limitsSchema = z.object(limitsShape).strict();
export type LinkLimits = z.output<typeof limitsSchema>;

export const DEFAULT_LIMITS: LinkLimits = {
  keySize: 256,
  minKeySize: 64,
  maxKeySize: 1024,
  maxKeyCount: 1000,
  maxKeyPerRequest: 128,
  maxSaeIdCount: 4,
  keyRateBps: 1_000_000,
  initialFill: 1,
};

const kmeSchema = z
  .object({
    id,
    /** 0 picks a free port. */
    port: port.default(0),
    host: z.string().min(1).default('127.0.0.1'),
    saes: z.array(id).default([]),
    /** Server certificate and key (PEM files); default: from `pkiDir`, or the in-memory PKI. */
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    faults: faultsSchema.optional(),
  })
  .strict();

const linkSchema = z
  .object({
    kmes: z.tuple([id, id], { error: 'expected two KME IDs' }),
    ...Object.fromEntries(Object.entries(limitsShape).map(([k, v]) => [k, v.optional()])),
  })
  .strict() as z.ZodType<{ kmes: [string, string] } & Partial<LinkLimits>>;

export const configSchema = z
  .object({
    /**
     * 'linked' (default): keys go from a KME to another across a link. 'single-kme': one KME
     * with every SAE attached to it, keys between any two of its SAEs drawn from one pool (the
     * limits in `defaults`) — the layout of the ETSI reference implementation and of test suites
     * written for it.
     */
    topology: z.enum(['linked', 'single-kme']).default('linked'),
    kmes: z.array(kmeSchema).min(1, 'expected at least one KME'),
    links: z.array(linkSchema).default([]),
    defaults: limitsSchema.partial().default({}),
    /** Where the SAE ID comes from in the client certificate. */
    saeIdFrom: z.enum(['cn', 'san-dns', 'san-uri', 'san-email']).default('cn'),
    /** CA that client certificates must chain to (PEM file); default: from `pkiDir` or in-memory. */
    caFile: z.string().min(1).optional(),
    /** A directory written by `sim-kme pki --out DIR`. */
    pkiDir: z.string().min(1).optional(),
    /**
     * extension_mandatory / extension_optional parameters the simulated KMEs understand, with
     * the values they can meet, e.g. { route_type: ['direct'] }.
     */
    extensions: z.record(z.string(), z.array(z.unknown())).default({}),
    /** How long an issued key waits on the slave's KME before it is deleted (0 = until fetched). */
    heldKeyTtlSeconds: z.number({ error: 'expected seconds >= 0' }).min(0, 'expected seconds >= 0').default(3600),
    /** Answer 400 "not all extension_optional request options handled" instead of ignoring them. */
    rejectUnhandledOptional: z.boolean().default(false),
    faults: faultsSchema.optional(),
    /**
     * The fault admin endpoint (plain HTTP, no authentication, so loopback only). Off unless
     * given; `sim-kme serve` turns it on at 127.0.0.1:0 unless --no-admin.
     */
    admin: z
      .object({
        host: z.string().min(1).default('127.0.0.1').refine(isLoopbackHost, {
          message: 'must be a loopback address (127.0.0.1, ::1 or localhost): the admin endpoint has no authentication',
        }),
        port: port.default(0),
      })
      .strict()
      .optional(),
    /**
     * Write every key handed out in enc_keys/dec_keys replies to this file (JSON lines, mode
     * 0600), for leak scanners in tests. Never on a KME that serves real keys.
     */
    keyLog: z.string().min(1, 'expected a file path').optional(),
    /**
     * How long a client may take to send a request's headers, and the whole request; a slower
     * one gets 408 with an ETSI Error and its connection closed (also bounds the TLS handshake).
     */
    http: z
      .object({
        headersTimeoutMs: millis.default(DEFAULT_HTTP_TIMEOUTS.headersTimeoutMs),
        requestTimeoutMs: millis.default(DEFAULT_HTTP_TIMEOUTS.requestTimeoutMs),
      })
      .strict()
      .refine((t) => t.headersTimeoutMs <= t.requestTimeoutMs, {
        message: 'headersTimeoutMs must not exceed requestTimeoutMs',
        path: ['headersTimeoutMs'],
      })
      .default(DEFAULT_HTTP_TIMEOUTS),
    log: z
      .object({
        level: z.enum(['silly', 'trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        format: z.enum(['pretty', 'json']).default('pretty'),
      })
      .strict()
      .default({ level: 'info', format: 'pretty' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Runs only when the shapes are valid, so every field below is present.
    const kmeIds = new Map<string, number>();
    const saeOwner = new Map<string, string>();
    config.kmes.forEach((kme, i) => {
      if (kmeIds.has(kme.id)) ctx.addIssue({ code: 'custom', path: ['kmes', i, 'id'], message: `duplicate KME ID "${kme.id}"` });
      kmeIds.set(kme.id, i);
      kme.saes.forEach((sae, j) => {
        const owner = saeOwner.get(sae);
        if (owner !== undefined)
          ctx.addIssue({ code: 'custom', path: ['kmes', i, 'saes', j], message: `SAE "${sae}" is already attached to ${owner}` });
        saeOwner.set(sae, kme.id);
      });
      if ((kme.certFile === undefined) !== (kme.keyFile === undefined))
        ctx.addIssue({ code: 'custom', path: ['kmes', i], message: 'certFile and keyFile go together' });
    });
    config.kmes.forEach((kme, i) =>
      kme.saes.forEach((sae, j) => {
        if (kmeIds.has(sae)) ctx.addIssue({ code: 'custom', path: ['kmes', i, 'saes', j], message: `"${sae}" is a KME ID; SAE and KME IDs must differ` });
      }),
    );
    const pairs = new Set<string>();
    config.links.forEach((link, i) => {
      link.kmes.forEach((k, j) => {
        if (!kmeIds.has(k)) ctx.addIssue({ code: 'custom', path: ['links', i, 'kmes', j], message: `unknown KME "${k}"` });
      });
      if (link.kmes[0] === link.kmes[1])
        ctx.addIssue({ code: 'custom', path: ['links', i, 'kmes'], message: 'a link joins two different KMEs' });
      const pair = [...link.kmes].sort().join('\u0000');
      if (pairs.has(pair)) ctx.addIssue({ code: 'custom', path: ['links', i, 'kmes'], message: 'duplicate link' });
      pairs.add(pair);
      const limits = linkLimits(config, link);
      if (limits.minKeySize > limits.maxKeySize)
        ctx.addIssue({ code: 'custom', path: ['links', i], message: `minKeySize ${limits.minKeySize} exceeds maxKeySize ${limits.maxKeySize}` });
      if (limits.keySize < limits.minKeySize || limits.keySize > limits.maxKeySize)
        ctx.addIssue({ code: 'custom', path: ['links', i], message: `keySize ${limits.keySize} is outside ${limits.minKeySize}..${limits.maxKeySize}` });
      for (const [name, v] of [['keySize', limits.keySize], ['minKeySize', limits.minKeySize], ['maxKeySize', limits.maxKeySize]] as const)
        if (v % 8 !== 0) ctx.addIssue({ code: 'custom', path: ['links', i], message: `${name} ${v} is not a multiple of 8` });
    });
    if (config.topology === 'single-kme') checkSingleKme(config, ctx);
    const hasFiles = config.caFile !== undefined || config.kmes.some((k) => k.certFile !== undefined);
    if (hasFiles && config.pkiDir !== undefined)
      ctx.addIssue({ code: 'custom', path: ['pkiDir'], message: 'give either pkiDir or caFile/certFile/keyFile, not both' });
    if (config.kmes.some((k) => k.certFile !== undefined) && config.caFile === undefined)
      ctx.addIssue({ code: 'custom', path: ['caFile'], message: 'caFile is required when KMEs name certFile/keyFile' });
  });

/** A single-KME topology: one KME, two SAEs or more, and no links (its one pool takes `defaults`). */
function checkSingleKme(config: { kmes: { saes: string[] }[]; links: unknown[]; defaults: Partial<LinkLimits> }, ctx: z.RefinementCtx): void {
  if (config.kmes.length !== 1)
    ctx.addIssue({ code: 'custom', path: ['kmes'], message: `topology single-kme takes exactly one KME, got ${config.kmes.length}` });
  else if (config.kmes[0]!.saes.length < 2)
    ctx.addIssue({ code: 'custom', path: ['kmes', 0, 'saes'], message: 'topology single-kme needs two SAEs or more on the KME (a master and a slave)' });
  if (config.links.length > 0)
    ctx.addIssue({ code: 'custom', path: ['links'], message: 'topology single-kme has no links: its SAEs share one key pool, set its limits under defaults' });
  const limits = linkLimits({ defaults: config.defaults }, {});
  if (limits.keySize < limits.minKeySize || limits.keySize > limits.maxKeySize || limits.keySize % 8 !== 0)
    ctx.addIssue({ code: 'custom', path: ['defaults'], message: `keySize ${limits.keySize} must be a multiple of 8 within ${limits.minKeySize}..${limits.maxKeySize}` });
}

export type SimKmeConfig = z.output<typeof configSchema>;
export type SimKmeConfigInput = z.input<typeof configSchema>;

/** Raised for a configuration that does not validate; `issues` names each bad field by path. */
export class SimKmeConfigError extends Error {
  override name = 'SimKmeConfigError';
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid sim-kme configuration (${source}):\n  ${issues.join('\n  ')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Validates a configuration object; throws SimKmeConfigError naming every bad field. */
export function parseConfig(input: unknown, source = 'configuration'): SimKmeConfig {
  const result = configSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new SimKmeConfigError(
    source,
    result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
  );
}

/** Reads a YAML or JSON configuration file (JSON is YAML) and validates it. */
export function loadConfigFile(file: string): SimKmeConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SimKmeConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new SimKmeConfigError(file, [`not valid YAML or JSON: ${(err as Error).message}`]);
  }
  const config = parseConfig(data, file);
  // Paths in a config file are relative to the file, not to wherever the command runs.
  const base = dirname(resolve(file));
  const abs = (p: string | undefined) => (p === undefined ? undefined : resolve(base, p));
  return {
    ...config,
    ...(config.pkiDir !== undefined ? { pkiDir: abs(config.pkiDir) } : {}),
    ...(config.caFile !== undefined ? { caFile: abs(config.caFile) } : {}),
    ...(config.keyLog !== undefined ? { keyLog: abs(config.keyLog) } : {}),
    kmes: config.kmes.map((k) => ({
      ...k,
      ...(k.certFile !== undefined ? { certFile: abs(k.certFile) } : {}),
      ...(k.keyFile !== undefined ? { keyFile: abs(k.keyFile) } : {}),
    })),
  };
}

/** Two KMEs joined by one link, one SAE on each: what `startSimKme()` and `sim-kme serve` use. */
export function defaultConfigInput(ports: { a: number; b: number } = { a: 0, b: 0 }): SimKmeConfigInput {
  return {
    kmes: [
      { id: 'KME_A', port: ports.a, saes: ['SAE_A'] },
      { id: 'KME_B', port: ports.b, saes: ['SAE_B'] },
    ],
    links: [{ kmes: ['KME_A', 'KME_B'] }],
  };
}

/** The limits of the link between two KMEs, defaults filled in. */
export function linkLimits(config: Pick<SimKmeConfig, 'defaults'>, link: Partial<LinkLimits>): LinkLimits {
  const pick = <K extends keyof LinkLimits>(k: K): LinkLimits[K] => link[k] ?? config.defaults[k] ?? DEFAULT_LIMITS[k];
  return {
    keySize: pick('keySize'),
    minKeySize: pick('minKeySize'),
    maxKeySize: pick('maxKeySize'),
    maxKeyCount: pick('maxKeyCount'),
    maxKeyPerRequest: pick('maxKeyPerRequest'),
    maxSaeIdCount: pick('maxSaeIdCount'),
    keyRateBps: pick('keyRateBps'),
    initialFill: pick('initialFill'),
  };
}

/**
 * The key pools of a configuration: one per link, or in a single-KME topology one from the KME to
 * itself, which every pair of its SAEs draws from.
 */
export function keyPools(config: SimKmeConfig): { kmes: [string, string]; limits: LinkLimits }[] {
  if (config.topology === 'single-kme') {
    const id = config.kmes[0]!.id;
    return [{ kmes: [id, id], limits: linkLimits(config, {}) }];
  }
  return config.links.map((l) => ({ kmes: l.kmes, limits: linkLimits(config, l) }));
}
