/**
 * Keep key material that was sent in a load out of the errors that come back. Junos may quote
 * the offending statement in error-message / bad-element (e.g. an invalid CAK value), and
 * those end up in logs.
 */
import { RpcError, RpcFailedError, rpcFailedMessage } from '../errors.js';
import type { RpcResponse } from '../session/rpc-session.js';
import type { ConfigFormat } from './rpcs.js';
import { ownCopy } from '../own-string.js';

const SECRET_WORDS = 'secret|cak|simple-password|authentication-key|encrypted-password';
const TEXT_SECRET = new RegExp(`\\b(?:${SECRET_WORDS})\\s+(?:"((?:[^"\\\\]|\\\\.)*)"|([^\\s;{}"]+))`, 'g');
const XML_SECRET = new RegExp(`<(?:\\w+:)?(${SECRET_WORDS})(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?\\1>`, 'g');
const JSON_SECRET = new RegExp(`"(?:${SECRET_WORDS})"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g');

export const REDACTED = '[redacted]';

/** Secret values (CAKs, key-chain secrets, passwords) written in a configuration being loaded. */
export function extractSecrets(config: string, format: ConfigFormat): string[] {
  const found = new Set<string>();
  const add = (v: string | undefined): void => {
    if (v && v.trim().length >= 4) found.add(v.trim());
  };
  if (format === 'xml') for (const m of config.matchAll(XML_SECRET)) add(m[2]);
  else if (format === 'json') for (const m of config.matchAll(JSON_SECRET)) add(m[1]);
  else for (const m of config.matchAll(TEXT_SECRET)) add(m[1] ?? m[2]);
  // Longest first, so a secret that contains another is replaced whole. Flat copies: a session
  // keeps its loaded secrets for many cycles, and a slice would keep the whole configuration.
  return [...found].sort((a, b) => b.length - a.length).map(ownCopy);
}

/**
 * How many of a session's most recent loads it keeps scrubbing the secrets of from replies. A
 * rotation loads once or twice per device-cycle, so 4 loads cover the last 2 cycles or more: a
 * reply quotes what its own load or commit carried, never an older one. A load's secrets are kept
 * or dropped together (a load of many secrets never pushes out its own CAKs), ~150 bytes a load.
 * Each is a key the process would otherwise have let go: 16 loads kept the last 8+ CAKs of every
 * device in memory, and ~10 MB at 4,000 sessions.
 */
export const MAX_REMEMBERED_LOADS = 4;

/**
 * The secrets a session has loaded, longest first (a secret that contains another is replaced
 * whole). Bounded: a session kept for months loads two keys a cycle, and neither the memory nor
 * the scrubbing of every reply may grow with that.
 */
export class SecretMemory {
  /** The secrets of each recent load, oldest load first. */
  #loads: (readonly string[])[] = [];
  /** Their union, longest first: what scrubbing walks. */
  list: readonly string[] = [];

  add(secrets: readonly string[]): void {
    if (secrets.length === 0) return;
    this.#loads.push(secrets);
    if (this.#loads.length > MAX_REMEMBERED_LOADS) this.#loads.shift();
    // Inserted in place, longest first (Array.prototype.sort allocates a work array per call).
    const list: string[] = [];
    for (const load of this.#loads)
      for (const secret of load) {
        if (list.includes(secret)) continue;
        let i = list.length;
        list.push(secret);
        for (; i > 0 && list[i - 1]!.length < secret.length; i--) list[i] = list[i - 1]!;
        list[i] = secret;
      }
    this.list = list;
  }
}

// Configuration text as Junos prints it (show configuration, show | compare): an optional diff
// sign or `inactive:`, then the statement's keyword.
const LINE_HEAD = '^(\\s*[-+!]?\\s*(?:inactive:\\s+)?';
const KEYWORD_SECRET = new RegExp(`${LINE_HEAD}(?:${SECRET_WORDS})\\s+)("(?:[^"\\\\]|\\\\.)*"|[^\\s;{}"]+)`);
const FIRST_WORD = new RegExp(`${LINE_HEAD}\\S+\\s+)[^;]*`);
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const SECRET_DATA = '## SECRET-DATA';

/**
 * Configuration text (a diff, `show configuration`) with its secrets replaced by "[redacted]":
 * every quoted value on a line Junos marks `## SECRET-DATA` (its `$9$` obfuscation is
 * reversible, `$6$`/`$1$` hashes can be attacked offline), and the value after a secret keyword
 * (secret, cak, simple-password, authentication-key, encrypted-password) that starts a statement.
 * CKNs and key names are not secret and stay.
 */
export function redactConfigurationText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const marker = line.indexOf(SECRET_DATA);
      if (marker >= 0) {
        const statement = line.slice(0, marker);
        const masked = statement.includes('"') ? statement.replace(QUOTED, `"${REDACTED}"`) : statement.replace(FIRST_WORD, `$1${REDACTED}`);
        return masked + line.slice(marker);
      }
      return line.replace(KEYWORD_SECRET, (_m, head: string, value: string) => head + (value.startsWith('"') ? `"${REDACTED}"` : REDACTED));
    })
    .join('\n');
}

export function redactText(text: string, secrets: readonly string[]): string;
export function redactText(text: string | undefined, secrets: readonly string[]): string | undefined;
export function redactText(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined || secrets.length === 0) return text;
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}

function redactValue(v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return redactText(v, secrets);
  if (Array.isArray(v)) return v.map((x) => redactValue(x, secrets));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(x, secrets)]));
  return v;
}

function redactError(e: RpcError, secrets: readonly string[]): RpcError {
  return new RpcError(redactText(e.message, secrets), {
    host: e.host,
    severity: e.severity,
    type: e.type,
    tag: e.tag,
    appTag: e.appTag,
    path: redactText(e.path, secrets),
    badElement: redactText(e.badElement, secrets),
    info: e.info === undefined ? undefined : (redactValue(e.info, secrets) as Record<string, unknown>),
  });
}

/**
 * Whether a reply can hold one of the secrets anywhere: in its raw text, or in a value parsed from
 * it. Without references ('&'), CRs, comments or CDATA in the raw text, every parsed value is a piece of it, so a
 * secret the raw text does not contain is nowhere (the common case: nothing is copied).
 */
function mayHold(raw: string, secrets: readonly string[]): boolean {
  // '<!': a comment or CDATA section inside a value joins text the raw reply holds in pieces.
  if (raw.includes('&') || raw.includes('\r') || raw.includes('<!')) return true;
  for (const s of secrets) if (raw.includes(s)) return true;
  return false;
}

/** The same failure with every secret replaced by "[redacted]" (errors, warnings, raw reply). */
export function redactFailure(err: RpcFailedError, secrets: readonly string[]): RpcFailedError {
  if (secrets.length === 0 || !mayHold(err.raw, secrets)) return err;
  const errors = err.errors.map((e) => redactError(e, secrets));
  return new RpcFailedError(rpcFailedMessage(err.rpc, errors, err.host), {
    rpc: err.rpc,
    messageId: err.messageId,
    host: err.host,
    errors,
    warnings: err.warnings.map((e) => redactError(e, secrets)),
    raw: redactText(err.raw, secrets),
  });
}

export function redactResponse(r: RpcResponse, secrets: readonly string[]): RpcResponse {
  if (secrets.length === 0 || !mayHold(r.raw, secrets)) return r;
  return {
    ...r,
    raw: redactText(r.raw, secrets),
    result: redactValue(r.result, secrets) as RpcResponse['result'],
    errors: r.errors.map((e) => redactError(e, secrets)),
    warnings: r.warnings.map((e) => redactError(e, secrets)),
  };
}
