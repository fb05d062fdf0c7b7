// Mutation operators for text inputs (XML, JSON, HTTP) and byte streams. Each input starts from a
// valid sample and gets a few edits; the dictionaries hold the tokens that found bugs before
// (entity names that are Object.prototype members, illegal XML characters, unclosed constructs).
import type { Rng } from './rng.js';

/** Tokens that make XML parsers take rare paths. */
const XML_TOKENS = [
  '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', '&#0;', '&#x0;', '&#xD800;', '&#xFFFE;', '&#x110000;', '&#65;', '&#x41;', '&#99999999;',
  '&constructor;', '&toString;', '&valueOf;', '&__proto__;', '&hasOwnProperty;', '&nbsp;', '&copy;', '&lt', '&;', '&#;', '&#x;',
  '<!--', '-->', '<!-- c -->', '<![CDATA[', ']]>', '<![CDATA[x]]>', '<?', '?>', '<?xml version="1.0"?>', '<?pi x?>',
  '<!DOCTYPE a [<!ENTITY e "x">]>', '<!ENTITY x SYSTEM "file:///etc/passwd">', '<!D', '<!', '<!ELEMENT a ANY>',
  '<', '>', '/>', '</', '</a>', '<a>', '<a/>', '<n/', '<__proto__>', '</__proto__>', '<__proto__/>', '<constructor>x</constructor>',
  '<toString/>', '<prototype/>', '<hasOwnProperty>1</hasOwnProperty>', ' a="1"', ' a=\'1\'', ' a=1', ' a="<"', ' a', ' xmlns="x"',
  ' xmlns:junos="http://xml.juniper.net/junos/*/junos"', ' junos:changed-seconds="1"', ' delete="delete"', ' replace="replace"',
  ' inactive="inactive"', ' operation="delete"', ' message-id="1"', ' message-id="&constructor;"', ' __proto__="x"', ' constructor="x"',
  '\u0000', '\u0001', '\u0008', '\u000b', '\u001f', '\u007f', '\u0085', '\ud800', '\udfff', '\ufffe', '\uffff', '\ufeff', '\u2028',
  '\r', '\n', '\t', ' ', '"', "'", '=', '#text', '@_', ':', 'x:', '0', '-1', '4294967296', '1e400', 'NaN',
  'ä', '😀', '\u202e', '$9$abc', '\\', '%00',
];

/** Element names of the models the parsers read: swapping them in produces "valid but wrong" trees. */
const JUNOS_NAMES = [
  'configuration', 'security', 'macsec', 'connectivity-association', 'name', 'security-mode', 'cipher-suite', 'pre-shared-key',
  'ckn', 'cak', 'pre-shared-key-chain', 'fallback-key', 'mka', 'key-server-priority', 'transmit-interval', 'sak-rekey-interval',
  'should-secure', 'must-secure', 'exclude-protocol', 'include-sci', 'replay-protect', 'replay-window-size', 'offset', 'interfaces',
  'authentication-key-chains', 'key-chain', 'key', 'key-name', 'secret', 'start-time', 'description', 'tolerance', 'event-options',
  'generate-event', 'time-interval', 'time-of-day', 'policy', 'events', 'then', 'event-script', 'file', 'python-script-user',
  'traceoptions', 'apply-macro', 'data', 'value', 'system', 'static-host-mapping', 'inet', 'inet6', 'alias', 'rpc-reply', 'rpc',
  'rpc-error', 'error-message', 'error-severity', 'ok', 'data', 'hello', 'capabilities', 'capability', 'session-id', 'warning',
];

/** Characters worth trying in place of another. */
const INTERESTING_CHARS = ['\u0000', '<', '>', '&', '"', "'", '/', '=', ']', '[', '!', '?', '-', ';', '#', ':', ' ', '\n', '\ud800', '\ufffe', 'x', '9'];

export interface MutateOptions {
  /** Tokens to insert; default XML_TOKENS. */
  tokens?: readonly string[];
  /** Other samples to splice from. */
  corpus?: readonly string[];
  /** Most edits per input. */
  maxEdits?: number;
  /** Longest result, in characters (later edits are skipped past it). */
  maxLength?: number;
}

function randomChar(rng: Rng): string {
  const r = rng.int(4);
  if (r === 0) return String.fromCharCode(rng.int(0x80));
  if (r === 1) return String.fromCharCode(rng.int(0x10000));
  if (r === 2) return String.fromCodePoint(rng.int(0x110000));
  return rng.pick(INTERESTING_CHARS);
}

/** A position biased towards markup boundaries, where edits change structure rather than text. */
function position(rng: Rng, s: string): number {
  if (s.length === 0) return 0;
  if (rng.chance(0.5)) {
    const at = rng.int(s.length);
    const lt = s.indexOf(rng.chance(0.5) ? '<' : '>', at);
    if (lt >= 0) return rng.chance(0.5) ? lt : lt + 1;
  }
  return rng.int(s.length + 1);
}

/** Apply one random edit. */
function mutateOnce(rng: Rng, s: string, opts: MutateOptions = {}): string {
  const tokens = opts.tokens ?? XML_TOKENS;
  const at = position(rng, s);
  const span = Math.min(s.length - at, 1 + rng.size(64));
  switch (rng.int(12)) {
    case 0:
      return s.slice(0, at) + s.slice(at + span);
    case 1:
    case 2:
      return s.slice(0, at) + rng.pick(tokens) + s.slice(at);
    case 3:
      return s.slice(0, at) + s.slice(at, at + span).repeat(1 + rng.size(rng.chance(0.1) ? 2000 : 20)) + s.slice(at + span);
    case 4:
      return s.slice(0, at) + randomChar(rng) + s.slice(at + 1);
    case 5:
      return s.slice(0, at) + randomChar(rng) + s.slice(at);
    case 6: {
      // Rename an element: `<name` -> `<other`.
      const m = /<\/?([A-Za-z_][\w.:-]*)/g;
      const names = [...s.matchAll(m)];
      if (names.length === 0) return s;
      const hit = rng.pick(names);
      const start = hit.index! + hit[0].indexOf(hit[1]!);
      const name = rng.chance(0.7) ? rng.pick(JUNOS_NAMES) : rng.pick(['__proto__', 'constructor', 'toString', 'prototype', 'valueOf', 'a:b', '_', 'x'.repeat(rng.size(300))]);
      return s.slice(0, start) + name + s.slice(start + hit[1]!.length);
    }
    case 7: {
      // Replace a text value with something odd.
      const texts = [...s.matchAll(/>([^<]{1,200})</g)];
      if (texts.length === 0) return s;
      const hit = rng.pick(texts);
      const value = rng.pick(['', ' ', '-1', '0', '65536', '99999999999999999999', 'x'.repeat(rng.size(5000)), rng.pick(tokens), '0x10', '1.5', 'true']);
      return s.slice(0, hit.index! + 1) + value + s.slice(hit.index! + 1 + hit[1]!.length);
    }
    case 8: {
      const other = opts.corpus && opts.corpus.length > 0 ? rng.pick(opts.corpus) : s;
      const from = rng.int(other.length + 1);
      return s.slice(0, at) + other.slice(from, from + 1 + rng.size(400)) + s.slice(at + span);
    }
    case 9:
      return s.slice(0, rng.int(s.length + 1));
    case 10: {
      // Deep nesting around a position.
      const depth = rng.chance(0.5) ? rng.range(90, 300) : rng.size(2000);
      const name = rng.pick(['a', 'security', '__proto__', 'x:y']);
      return s.slice(0, at) + `<${name}>`.repeat(depth) + (rng.chance(0.7) ? `</${name}>`.repeat(depth) : '') + s.slice(at);
    }
    default: {
      const b = position(rng, s);
      const [lo, hi] = at < b ? [at, b] : [b, at];
      return s.slice(0, lo) + s.slice(hi, hi + span) + s.slice(lo + span, hi) + s.slice(lo, lo + span) + s.slice(hi + span);
    }
  }
}

/** Several edits of a sample. */
export function mutate(rng: Rng, sample: string, opts: MutateOptions = {}): string {
  const edits = 1 + rng.size(opts.maxEdits ?? 8);
  const max = opts.maxLength ?? 1 << 20;
  let s = sample;
  for (let i = 0; i < edits; i++) {
    const next = mutateOnce(rng, s, opts);
    if (next.length <= max) s = next;
  }
  return s;
}

/** Byte-level edits for framed streams: flips, inserts, deletes and framing tokens. */
export function mutateBytes(rng: Rng, bytes: Buffer, tokens: readonly string[]): Buffer {
  let b: Buffer = bytes;
  const edits = 1 + rng.size(6);
  for (let i = 0; i < edits; i++) {
    const at = rng.int(b.length + 1);
    switch (rng.int(5)) {
      case 0:
        if (b.length > 0) {
          b = Buffer.from(b);
          b[Math.min(at, b.length - 1)] = rng.chance(0.5) ? rng.int(256) : rng.pick([0x0a, 0x23, 0x5d, 0x3e, 0x30, 0x39, 0x00, 0xff, 0xc3, 0xed]);
        }
        break;
      case 1:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick(tokens), 'utf8'), b.subarray(at)]);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.size(32))]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(Array.from({ length: 1 + rng.size(8) }, () => rng.int(256))), b.subarray(at)]);
        break;
      default:
        b = b.subarray(0, at);
    }
  }
  return b;
}
