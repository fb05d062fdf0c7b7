// The agent's HTTPS server: mutual TLS against tls.ca (the coordinator check is the listener's),
// a refused handshake counted and logged.
import { readFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { RotatorLogger } from '../../log/index.js';
import type { AgentConfig } from '../config/types.js';
import type { AgentMetrics } from './metrics.js';

/** Listening on config.listen; an error names the site and the address. */
export async function listenMutualTls(config: AgentConfig, listener: RequestListener, metrics: AgentMetrics, logger: RotatorLogger): Promise<Server> {
  const server: Server = createServer(
    {
      cert: readFileSync(config.tls.certFile),
      key: readFileSync(config.tls.keyFile),
      ca: readFileSync(config.tls.caFile),
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    listener,
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    metrics.refusal('handshake');
    logger.warn(`refused a TLS client from ${socket.remoteAddress ?? '?'} at the handshake: ${err.code ?? err.message}`);
  });
  server.on('secureConnection', () => metrics.connection());
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`agent ${config.site} cannot listen on ${config.listen.host}:${config.listen.port}: ${err.code ?? err.message}`);
  });
  return server;
}
