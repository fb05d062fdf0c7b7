// createQkdClient: the three ETSI GS QKD 014 calls over one keep-alive mTLS Agent, every answer
// validated, every failure a QkdError naming endpoint and SAE IDs. The steps live apart: options
// (options.ts), TLS and the Agent (tls.ts), request building (requests.ts), the exchange with its
// retries (exchange.ts, retry.ts) and response validation (answers.ts).
import { decKeysAnswer, encKeysAnswer, statusAnswer, type QkdKeyResult } from './answers.js';
import { QkdConfigError } from './errors.js';
import { createTransport } from './exchange.js';
import { resolveOptions, type QkdClientOptions } from './options.js';
import { decKeysCall, encKeysCall, statusCall, type QkdCallOptions } from './requests.js';
import type { Status } from './schemas.js';
import { buildTls, type TlsSetup } from './tls.js';
import type { KeyRequestOptions } from './validate.js';

export { DEFAULT_MAX_RESPONSE_BYTES, type QkdClientOptions, type QkdMethod } from './options.js';
export type { QkdKeyResult } from './answers.js';
export type { QkdCallOptions } from './requests.js';

export interface QkdGetKeyCallOptions extends QkdCallOptions {
  /** The slave's Status, to refuse out-of-range requests locally (else the last getStatus answer). */
  status?: Status;
}

export interface QkdClient {
  /** GET /api/v1/keys/{slave}/status. Resolves to the Status with the spec's field names. */
  getStatus(slaveSaeId: string, options?: QkdCallOptions): Promise<Status>;
  /** enc_keys: new keys shared with `slaveSaeId` (and any additional slaves). Never retried. */
  getKey(slaveSaeId: string, request?: KeyRequestOptions, options?: QkdGetKeyCallOptions): Promise<QkdKeyResult>;
  /** dec_keys: the keys with these IDs, issued by `masterSaeId`. Safe to retry. */
  getKeyWithIds(masterSaeId: string, keyIds: string[], options?: QkdCallOptions): Promise<QkdKeyResult>;
  /** Closes the keep-alive connections. Later calls fail with QkdRequestError. */
  close(): Promise<void>;
}

export function createQkdClient(options: QkdClientOptions): QkdClient {
  const { root, method, logger, ...resolved } = resolveOptions(options);
  const tls = kmeTls(root, () =>
    buildTls({ tls: options.tls, insecureSkipVerify: options.insecureSkipVerify === true, logger, connections: resolved.connections, maxResponseBytes: resolved.maxResponseBytes }),
  );
  const transport = createTransport({ tls, logger, retry: resolved.retry, timeoutMs: resolved.timeoutMs });
  // The last Status per slave, for the local checks of getKey.
  const statusCache = new Map<string, Status>();

  return {
    async getStatus(slaveSaeId, callOptions) {
      const call = statusCall(root, slaveSaeId, callOptions);
      const status = statusAnswer(call, await transport.send(call));
      statusCache.set(slaveSaeId, status);
      return status;
    },

    async getKey(slaveSaeId, request = {}, callOptions) {
      const { call, expected } = encKeysCall(root, method, slaveSaeId, request, callOptions?.status ?? statusCache.get(slaveSaeId), callOptions);
      return encKeysAnswer(call, await transport.send(call), expected);
    },

    async getKeyWithIds(masterSaeId, keyIds, callOptions) {
      const call = decKeysCall(root, method, masterSaeId, keyIds, callOptions);
      return decKeysAnswer(call, await transport.send(call), keyIds);
    },

    close: () => transport.close(),
  };
}

/** The TLS setup for the KME at `root`: unusable TLS options say which KME they were for. */
function kmeTls(root: string, build: () => TlsSetup): TlsSetup {
  try {
    return build();
  } catch (error) {
    if (error instanceof QkdConfigError) throw new QkdConfigError(error.message, { endpoint: root, saeIds: [] });
    throw error;
  }
}
