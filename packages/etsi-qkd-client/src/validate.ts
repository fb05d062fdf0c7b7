// Checks beyond the wire schema: what we may ask (local refusal before sending, against the
// KME's advertised limits when its Status is known) and whether the answer matches the ask.
import type { KeyContainer, Status } from './schemas.js';

/** What getKey asks for, in the client's camelCase form. */
export interface KeyRequestOptions {
  /** How many keys (default 1, as in the spec). */
  number?: number;
  /** Key size in bits; a multiple of 8. Default: the KME's key_size. */
  size?: number;
  additionalSlaveSaeIds?: string[];
  extensionMandatory?: Record<string, unknown>[];
  extensionOptional?: Record<string, unknown>[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Returns the problems with a key request, empty when it may be sent. */
export function keyRequestProblems(request: KeyRequestOptions, status: Status | undefined): string[] {
  const problems: string[] = [];
  const { number, size, additionalSlaveSaeIds } = request;
  if (number !== undefined && !(Number.isSafeInteger(number) && number >= 1)) {
    problems.push(`number must be a positive integer (got ${String(number)})`);
  }
  if (size !== undefined) {
    if (!(Number.isSafeInteger(size) && size >= 1)) problems.push(`size must be a positive integer number of bits (got ${String(size)})`);
    else if (size % 8 !== 0) problems.push(`size shall be a multiple of 8 (got ${size} bits)`);
  }
  if (additionalSlaveSaeIds !== undefined) {
    if (!Array.isArray(additionalSlaveSaeIds) || additionalSlaveSaeIds.some((id) => typeof id !== 'string' || id === '')) {
      problems.push('additionalSlaveSaeIds must be an array of non-empty SAE IDs');
    } else if (new Set(additionalSlaveSaeIds).size !== additionalSlaveSaeIds.length) {
      problems.push('additionalSlaveSaeIds has duplicates');
    }
  }
  for (const name of ['extensionMandatory', 'extensionOptional'] as const) {
    const list = request[name];
    if (list !== undefined && (!Array.isArray(list) || list.some((item) => typeof item !== 'object' || item === null || Array.isArray(item)))) {
      problems.push(`${name} must be an array of objects`);
    }
  }
  if (status && problems.length === 0) {
    if (size !== undefined && (size < status.min_key_size || size > status.max_key_size)) {
      problems.push(`size ${size} bits is outside the KME's range [${status.min_key_size}, ${status.max_key_size}]`);
    }
    if (number !== undefined && number > status.max_key_per_request) {
      problems.push(`number ${number} exceeds the KME's max_key_per_request ${status.max_key_per_request}`);
    }
    const extra = additionalSlaveSaeIds?.length ?? 0;
    if (extra > status.max_SAE_ID_count) {
      problems.push(`${extra} additional slave SAE IDs exceed the KME's max_SAE_ID_count ${status.max_SAE_ID_count}`);
    }
  }
  return problems;
}

/** Returns the problems with the key IDs given to getKeyWithIds. */
export function keyIdsProblems(keyIds: unknown): string[] {
  if (!Array.isArray(keyIds) || keyIds.length === 0) return ['keyIds must be a non-empty array of key_ID strings'];
  const problems: string[] = [];
  keyIds.forEach((id, index) => {
    if (typeof id !== 'string' || !UUID.test(id)) problems.push(`keyIds[${index}] is not a UUID key_ID`);
  });
  if (problems.length === 0 && new Set(keyIds.map((id: string) => id.toLowerCase())).size !== keyIds.length) {
    problems.push('keyIds has duplicates');
  }
  return problems;
}

function byteLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/** enc_keys: exactly `number` keys, distinct IDs, each of `size` bits (or all of one size). */
export function encKeysProblems(container: KeyContainer, expected: { number: number; bits: number | undefined }): string[] {
  const problems: string[] = [];
  const { keys } = container;
  if (keys.length !== expected.number) problems.push(`asked for ${expected.number} key(s), got ${keys.length}`);
  problems.push(...duplicateIds(keys));
  problems.push(...sizeProblems(keys, expected.bits));
  return problems;
}

/** dec_keys: exactly the requested IDs, each once, all of one size. */
export function decKeysProblems(container: KeyContainer, requested: readonly string[]): string[] {
  const problems: string[] = [];
  const wanted = new Set(requested.map((id) => id.toLowerCase()));
  const got = container.keys.map((key) => key.key_ID.toLowerCase());
  const unexpected = got.filter((id) => !wanted.has(id));
  const missing = [...wanted].filter((id) => !got.includes(id));
  if (unexpected.length) problems.push(`key IDs not requested: ${unexpected.join(', ')}`);
  if (missing.length) problems.push(`requested key IDs missing: ${missing.join(', ')}`);
  problems.push(...duplicateIds(container.keys));
  problems.push(...sizeProblems(container.keys, undefined));
  return problems;
}

function duplicateIds(keys: KeyContainer['keys']): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { key_ID } of keys) {
    const id = key_ID.toLowerCase();
    if (seen.has(id)) duplicates.add(key_ID);
    seen.add(id);
  }
  return duplicates.size ? [`key IDs delivered more than once: ${[...duplicates].join(', ')}`] : [];
}

function sizeProblems(keys: KeyContainer['keys'], bits: number | undefined): string[] {
  const problems: string[] = [];
  const sizes = keys.map((key) => byteLength(key.key) * 8);
  if (bits !== undefined) {
    keys.forEach((key, index) => {
      if (sizes[index] !== bits) problems.push(`key ${key.key_ID} has ${sizes[index]} bits, expected ${bits}`);
    });
  } else if (new Set(sizes).size > 1) {
    problems.push(`keys of different sizes in one answer: ${[...new Set(sizes)].join(', ')} bits`);
  }
  return problems;
}
