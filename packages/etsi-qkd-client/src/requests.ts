// Request building: each ETSI 014 call as a Call (URL, method, query or JSON body), or refused
// locally — QkdRequestError, nothing sent — when the spec or the KME's Status rules it out.
import { QkdRequestError, type QkdErrorContext } from './errors.js';
import type { QkdMethod } from './options.js';
import { listProblems } from './problems.js';
import type { KeyIds, KeyRequest, Status } from './schemas.js';
import { endpointUrl, type Operation } from './url.js';
import { keyIdsProblems, keyRequestProblems, type KeyRequestOptions } from './validate.js';

export interface QkdCallOptions {
  signal?: AbortSignal;
  /** Overrides the client's timeoutMs for this call. */
  timeoutMs?: number;
}

export interface Call {
  operation: Operation;
  /** endpointUrl(root, path SAE, operation), computed once. */
  endpoint: string;
  saeIds: string[];
  method: 'GET' | 'POST';
  searchParams?: Record<string, string>;
  json?: unknown;
  idempotent: boolean;
  options: QkdCallOptions | undefined;
}

/** What an enc_keys answer must hold: `number` keys of `bits` bits (of one size when unknown). */
export interface ExpectedKeys {
  number: number;
  bits: number | undefined;
}

function refuse(problems: string[], context: QkdErrorContext): void {
  if (problems.length) throw new QkdRequestError(`refused locally, not sent to ${context.endpoint}: ${listProblems(problems)}`, context);
}

export function statusCall(root: string, slaveSaeId: string, options: QkdCallOptions | undefined): Call {
  return { operation: 'status', endpoint: endpointUrl(root, slaveSaeId, 'status'), saeIds: [slaveSaeId], method: 'GET', idempotent: true, options };
}

/** enc_keys, checked against `status` (the slave's, when known). Never retried: it takes keys. */
export function encKeysCall(
  root: string,
  method: QkdMethod,
  slaveSaeId: string,
  request: KeyRequestOptions,
  status: Status | undefined,
  options: QkdCallOptions | undefined,
): { call: Call; expected: ExpectedKeys } {
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    refuse(['the key request must be an object like { number, size }'], { endpoint: endpointUrl(root, slaveSaeId, 'enc_keys'), saeIds: [slaveSaeId] });
  }
  const extra = Array.isArray(request.additionalSlaveSaeIds) ? request.additionalSlaveSaeIds : [];
  const saeIds = [slaveSaeId, ...extra];
  const needsPost = extra.length > 0 || request.extensionMandatory !== undefined || request.extensionOptional !== undefined;
  const httpMethod = method === 'post' || (method === 'auto' && needsPost) ? 'POST' : 'GET';
  const endpoint = endpointUrl(root, slaveSaeId, 'enc_keys');
  const context = { endpoint, saeIds, method: httpMethod };
  refuse(keyRequestProblems(request, status), context);
  if (httpMethod === 'GET' && needsPost) {
    refuse(['method is "get" but additionalSlaveSaeIds and extensions can only be sent with POST'], context);
  }
  const expected = { number: request.number ?? 1, bits: request.size ?? status?.key_size };
  if (httpMethod === 'POST') {
    const body: KeyRequest = {
      ...(request.number !== undefined ? { number: request.number } : {}),
      ...(request.size !== undefined ? { size: request.size } : {}),
      ...(extra.length ? { additional_slave_SAE_IDs: extra } : {}),
      ...(request.extensionMandatory ? { extension_mandatory: request.extensionMandatory } : {}),
      ...(request.extensionOptional ? { extension_optional: request.extensionOptional } : {}),
    };
    return { call: { operation: 'enc_keys', endpoint, saeIds, method: httpMethod, json: body, idempotent: false, options }, expected };
  }
  const query: Record<string, string> = {};
  if (request.number !== undefined) query.number = String(request.number);
  if (request.size !== undefined) query.size = String(request.size);
  return { call: { operation: 'enc_keys', endpoint, saeIds, method: httpMethod, searchParams: query, idempotent: false, options }, expected };
}

/** dec_keys: GET for one key ID (when the method allows), POST with Key IDs otherwise. Safe to retry. */
export function decKeysCall(root: string, method: QkdMethod, masterSaeId: string, keyIds: string[], options: QkdCallOptions | undefined): Call {
  const httpMethod = method === 'post' || (method === 'auto' && Array.isArray(keyIds) && keyIds.length !== 1) ? 'POST' : 'GET';
  const endpoint = endpointUrl(root, masterSaeId, 'dec_keys');
  const context = { endpoint, saeIds: [masterSaeId], method: httpMethod };
  refuse(keyIdsProblems(keyIds), context);
  if (httpMethod === 'GET' && keyIds.length !== 1) refuse(['method is "get" but the GET form of dec_keys carries exactly one key_ID'], context);
  const base: Call = { operation: 'dec_keys', endpoint, saeIds: [masterSaeId], method: httpMethod, idempotent: true, options };
  if (httpMethod === 'POST') {
    const body: KeyIds = { key_IDs: keyIds.map((keyId) => ({ key_ID: keyId })) };
    return { ...base, json: body };
  }
  return { ...base, searchParams: { key_ID: keyIds[0]! } };
}
