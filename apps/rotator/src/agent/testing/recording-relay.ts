// A recording relay in front of one site agent, for leak tests whose coordinator runs in another
// process (its client-side `record` hook is out of reach there). The relay ends the coordinator's
// mutual TLS with the agent's own server certificate (so the coordinator's CA check and pin pass
// unchanged) and demands a client certificate from the coordinators' CA; it opens its own mutual
// TLS to the agent with the coordinator's client certificate. In between it sees every request
// and answer in clear — method, path, all headers, bodies, status — and records them as they were.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SitesBench } from '../simulated-sites.js';

/** One exchange as the relay saw it cross, both directions. */
export interface RelayedExchange {
  site: string;
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  request: string;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  response: string;
}

export interface RecordingRelay {
  site: string;
  /** What the coordinator's site config names instead of the agent's URL. */
  url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

/**
 * A relay to the bench's agent of `site` (its URL now); every exchange goes to `record`.
 * `missing`: paths it answers 404 itself, as an agent from before them would.
 */
export async function startRecordingRelay(bench: SitesBench, site: string, record: (e: RelayedExchange) => void, options: { missing?: string[] } = {}): Promise<RecordingRelay> {
  const file = (name: string) => readFileSync(join(bench.dir, name));
  const upstream = new URL(bench.agents[site]?.url ?? bench.sites[site]!.agent.url);
  const agent = new Agent({ keepAlive: true, ca: file('agents-ca.pem'), cert: file('coordinator.pem'), key: file('coordinator-key.pem') });
  const server: Server = createServer(
    { cert: file(`agent-${site}.pem`), key: file(`agent-${site}-key.pem`), ca: file('coordinators-ca.pem'), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      void readAll(req).then((body) => {
        if (options.missing?.includes(new URL(req.url ?? '/', 'https://relay').pathname)) {
          const text = JSON.stringify({ error: { code: 'not-found', message: `no endpoint ${req.url ?? '/'}` } });
          record({ site, method: req.method ?? '?', path: req.url ?? '/', requestHeaders: req.headers, request: body, status: 404, responseHeaders: {}, response: text });
          return void res.writeHead(404, { 'content-type': 'application/json' }).end(text);
        }
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
        const out = request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent },
          (answer) => {
            void readAll(answer).then((text) => {
              record({ site, method: req.method ?? '?', path: req.url ?? '/', requestHeaders: req.headers, request: body, status: answer.statusCode ?? 0, responseHeaders: answer.headers, response: text });
              const back = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
              res.writeHead(answer.statusCode ?? 502, back).end(text);
            });
          },
        );
        out.on('error', (e) => {
          record({ site, method: req.method ?? '?', path: req.url ?? '/', requestHeaders: req.headers, request: body, status: 0, responseHeaders: {}, response: `relay: ${e.message}` });
          res.destroy();
        });
        out.end(body);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    site,
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}

function readAll(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}
