// Response validation: a 2xx answer's body read against the ETSI schema and against what was
// asked (the slave SAE, the number and size of keys, the key IDs). Anything else is a
// QkdResponseError naming the field or key ID, never the key or the raw body.
import { QkdResponseError, type QkdErrorContext } from './errors.js';
import { decodeKey, type QkdKey } from './key.js';
import { listProblems } from './problems.js';
import type { Call, ExpectedKeys } from './requests.js';
import { keyContainerSchema, parseMessage, statusSchema, type KeyContainer, type Status } from './schemas.js';
import { decKeysProblems, encKeysProblems } from './validate.js';

/** A 2xx answer, parsed as JSON. */
export interface Reply {
  body: unknown;
  status: number;
  endpoint: string;
  /** Wall time of the call, retries included. */
  elapsedMs: number;
}

export interface QkdKeyResult {
  keys: QkdKey[];
  keyContainerExtension?: Record<string, unknown>;
  /** The URL called (without query string). */
  endpoint: string;
  method: 'GET' | 'POST';
  /** Wall time of the call, retries included. */
  elapsedMs: number;
}

type ReplyContext = QkdErrorContext & { status: number };

function replyContext(call: Call, reply: Reply): ReplyContext {
  return { endpoint: reply.endpoint, saeIds: call.saeIds, method: call.method, status: reply.status };
}

function parse<T>(schema: Parameters<typeof parseMessage<T>>[0], body: unknown, what: string, context: ReplyContext): T {
  try {
    return parseMessage(schema, body, what);
  } catch (error) {
    throw new QkdResponseError(`${(error as Error).message} (from ${context.endpoint})`, context);
  }
}

/** The Status, which must be for the slave asked and have a sane key size range. */
export function statusAnswer(call: Call, reply: Reply): Status {
  const context = replyContext(call, reply);
  const status = parse(statusSchema, reply.body, 'Status', context);
  const slaveSaeId = call.saeIds[0];
  if (status.slave_SAE_ID !== slaveSaeId) {
    throw new QkdResponseError(`Status from ${reply.endpoint} is for slave SAE ${status.slave_SAE_ID}, not the requested ${slaveSaeId}`, context);
  }
  if (status.min_key_size > status.max_key_size) {
    throw new QkdResponseError(`Status from ${reply.endpoint} has min_key_size ${status.min_key_size} > max_key_size ${status.max_key_size}`, context);
  }
  return status;
}

export function encKeysAnswer(call: Call, reply: Reply, expected: ExpectedKeys): QkdKeyResult {
  const context = replyContext(call, reply);
  const container = parse(keyContainerSchema, reply.body, 'Key container', context);
  const problems = encKeysProblems(container, expected);
  if (problems.length) throw new QkdResponseError(`enc_keys answer from ${reply.endpoint} does not match the request: ${listProblems(problems)}`, context);
  return keyResult(container, call, reply);
}

export function decKeysAnswer(call: Call, reply: Reply, keyIds: readonly string[]): QkdKeyResult {
  const context = replyContext(call, reply);
  const container = parse(keyContainerSchema, reply.body, 'Key container', context);
  const problems = decKeysProblems(container, keyIds);
  if (problems.length) throw new QkdResponseError(`dec_keys answer from ${reply.endpoint} does not match the request: ${listProblems(problems)}`, context);
  return keyResult(container, call, reply);
}

function keyResult(container: KeyContainer, call: Call, reply: Reply): QkdKeyResult {
  return {
    keys: container.keys.map(decodeKey),
    ...(container.key_container_extension ? { keyContainerExtension: container.key_container_extension } : {}),
    endpoint: reply.endpoint,
    method: call.method,
    elapsedMs: reply.elapsedMs,
  };
}
