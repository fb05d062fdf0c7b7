// The KME-to-KME key relay, used when linked KMEs run in different processes: the KME that
// issues a key pushes it, over mutual TLS with its own KME client certificate, to the KME where
// the slave fetches it, before answering the master. Real KMEs do the same over their QKD link's
// classical channel. Key material travels only inside this TLS connection and is never logged.
import { Agent, request } from 'node:https';
import { z } from 'zod';
import type { RelayBatch } from './key-stream.js';

export const RELAY_PATH = '/sim/v1/relay';

const relayBodySchema = z
  .object({
    from: z.string().min(1),
    to: z.string().min(1),
    bits: z.number().int().nonnegative(),
    keys: z.array(
      z
        .object({
          key_ID: z.guid(),
          key: z.base64(),
          master_SAE_ID: z.string().min(1),
          slave_SAE_IDs: z.array(z.string().min(1)).min(1),
        })
        .strict(),
    ),
  })
  .strict();

class RelayError extends Error {
  override name = 'RelayError';
  constructor(
    readonly peer: string,
    message: string,
  ) {
    super(`key relay to ${peer}: ${message}`);
  }
}

function encodeRelay(from: string, batch: RelayBatch): string {
  return JSON.stringify({
    from,
    to: batch.kmeId,
    bits: batch.bits,
    keys: batch.keys.map((k) => ({ key_ID: k.keyId, key: k.key.toString('base64'), master_SAE_ID: k.masterSaeId, slave_SAE_IDs: k.slaves })),
  });
}

/** Parses a relay body; the message names the bad field, never a key. */
export function decodeRelay(body: string): { from: string; to: string; batch: RelayBatch } | { error: string } {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { error: 'relay body is not valid JSON' };
  }
  const parsed = relayBodySchema.safeParse(data);
  if (!parsed.success)
    return { error: `invalid relay body: ${parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  const { from, to, bits, keys } = parsed.data;
  return {
    from,
    to,
    batch: {
      kmeId: to,
      bits,
      keys: keys.map((k) => ({ keyId: k.key_ID, key: Buffer.from(k.key, 'base64'), masterSaeId: k.master_SAE_ID, slaves: k.slave_SAE_IDs })),
    },
  };
}

export interface RelayClient {
  send(batch: RelayBatch): Promise<void>;
  close(): void;
}

export function createRelayClient(opts: {
  from: string;
  tls: { cert: string; key: string; ca: string };
  peerUrl: (kmeId: string) => string | undefined;
  timeoutMs?: number;
}): RelayClient {
  const agent = new Agent({ keepAlive: true, cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca });
  return {
    send(batch) {
      const base = opts.peerUrl(batch.kmeId);
      if (base === undefined) return Promise.reject(new RelayError(batch.kmeId, 'no address: its port is 0 in the configuration'));
      const body = encodeRelay(opts.from, batch);
      return new Promise<void>((resolve, reject) => {
        const req = request(
          new URL(RELAY_PATH, base),
          {
            method: 'POST',
            agent,
            timeout: opts.timeoutMs ?? 5000,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              if (res.statusCode === 204) return resolve();
              reject(new RelayError(batch.kmeId, `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 200)}`));
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', (err) => reject(new RelayError(batch.kmeId, `${base}: ${err.message}`)));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
