// The simulator's own configuration (devices, links, ports), validated with zod so a bad YAML/JSON
// file gets an error naming the field, plus the default two-router topology.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { faultsSchema } from './faults.js';
import { PLATFORM_FAMILIES } from './platform.js';

const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const endSchema = z.union([
  z.object({ device: z.string().regex(DEVICE_NAME), interface: z.string().min(1) }).strict(),
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*:\S+$/, 'expected "device:interface", e.g. "r1:ge-0/0/0"')
    .transform((s) => ({ device: s.slice(0, s.indexOf(':')), interface: s.slice(s.indexOf(':') + 1) })),
], { error: 'expected "device:interface" (e.g. "r1:ge-0/0/0") or { device, interface }' });

const deviceConfigSchema = z
  .object({
    port: z.number().int().min(0).max(65535).optional(),
    username: z.string().min(1).optional(),
    /** Generated (and shown once by the CLI) when absent. */
    password: z.string().min(1).optional(),
    authorizedKeys: z.array(z.string().min(1)).optional(),
    /** SSH host private key (OpenSSH or PEM); a fresh Ed25519 key when absent. */
    hostKey: z.string().min(1).optional(),
    /** Offer NETCONF base:1.1 (chunked framing), like Junos with `rfc-compliant`. */
    netconf11: z.boolean().optional(),
    hostname: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    serialNumber: z.string().min(1).optional(),
    /** Which YANG family the device follows (what statements it accepts); default from `model`. */
    platform: z.enum(PLATFORM_FAMILIES).optional(),
    /** Committed configuration at start: set commands or curly-brace text. */
    config: z.string().optional(),
    faults: faultsSchema.optional(),
  })
  .strict();

export const simConfigSchema = z
  .object({
    host: z.string().min(1).optional(),
    devices: z.record(z.string().regex(DEVICE_NAME, 'device names are letters, digits, ".", "_" and "-"'), deviceConfigSchema),
    links: z.array(z.object({ id: z.string().min(1).optional(), a: endSchema, b: endSchema }).strict()).optional(),
    /** Also listen on one port where the login name "user@device" picks the device. */
    sharedPort: z.number().int().min(0).max(65535).optional(),
    /** 'manual' for tests (advance it yourself), 'real' (default) otherwise. */
    clock: z.enum(['real', 'manual']).optional(),
    /** Start of a manual clock (ISO 8601 or epoch ms). */
    startTime: z.union([z.iso.datetime({ offset: true }), z.number().int()]).optional(),
    /** The admin endpoint (faults changeable while running); loopback only. Off unless given. */
    admin: z.object({ host: z.string().min(1).optional(), port: z.number().int().min(0).max(65535).optional() }).strict().optional(),
    /** Append every CAK/secret committed to a device to this file (JSON lines, mode 0600): needles
     *  for leak scanners. Key material — off unless given. */
    keyLog: z.string().min(1).optional(),
    /** How long one minute of a `commit confirmed` timeout lasts (ms). Default 60000; a chaos run
     *  sets e.g. 2000 to use Junos' 1-minute minimum in seconds. */
    confirmMinuteMs: z.number().int().min(1).optional(),
  })
  .strict();

export type DeviceConfig = z.input<typeof deviceConfigSchema>;
export type SimConfigFile = z.input<typeof simConfigSchema>;
export type ParsedSimConfig = z.output<typeof simConfigSchema>;

export class SimConfigError extends Error {
  override name = 'SimConfigError';
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
  }
}

export function parseSimConfig(input: unknown, where = 'sim-junos config'): ParsedSimConfig {
  const r = simConfigSchema.safeParse(input);
  if (r.success) return r.data;
  const first = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
  throw new SimConfigError(first, where);
}

/** Two routers, r1 and r2, joined by one link r1:ge-0/0/0 — r2:ge-0/0/0, secured from the start
 *  with a random static CAK (never printed). */
export function defaultTopology(): SimConfigFile {
  const ckn = randomBytes(32).toString('hex');
  const cak = randomBytes(32).toString('hex');
  const config = [
    'set system host-name HOST',
    'set security macsec connectivity-association CA-QKD security-mode static-cak',
    'set security macsec connectivity-association CA-QKD cipher-suite gcm-aes-xpn-256',
    `set security macsec connectivity-association CA-QKD pre-shared-key ckn ${ckn} cak ${cak}`,
    'set security macsec interfaces ge-0/0/0 connectivity-association CA-QKD',
  ].join('\n');
  return {
    devices: {
      r1: { config: config.replace('HOST', 'r1') },
      r2: { config: config.replace('HOST', 'r2') },
    },
    links: [{ id: 'r1-r2', a: { device: 'r1', interface: 'ge-0/0/0' }, b: { device: 'r2', interface: 'ge-0/0/0' } }],
  };
}
