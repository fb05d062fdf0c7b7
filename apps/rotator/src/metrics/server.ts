// The daemon's HTTP endpoint: GET /healthz (200 or 503 with JSON) and GET /metrics (Prometheus
// text). Nothing else: other paths 404, other methods 405. Listens where the config says.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthState } from './health.js';
import type { RotatorMetrics } from './registry.js';

export interface MetricsServer {
  /** http://host:port */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(options: { host: string; port: number; metrics: Pick<RotatorMetrics, 'render' | 'contentType'>; health: Pick<HealthState, 'report'> }): Promise<MetricsServer> {
  const { metrics, health } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const { healthy, body } = health.report();
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
      return;
    }
    metrics.render().then(
      (text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(err as Error).message}\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`metrics endpoint cannot listen on ${options.host}:${options.port}: ${err.code ?? err.message}`);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
