// The agent's Prometheus metrics, on a registry of its own (as metrics/registry.ts does for the
// daemon), every name prefixed qkd_macsec_agent_.
import { Counter, Gauge, Registry } from 'prom-client';

export interface AgentMetrics {
  registry: Registry;
  request(endpoint: string, outcome: string): void;
  /** A batch answered (its items are counted by request() as they finish). */
  batch(items: number): void;
  refusal(reason: string): void;
  /** A TLS connection accepted (a client that does not reuse its connections shows here). */
  connection(): void;
  zeroed(why: string): void;
  render(): Promise<string>;
  readonly contentType: string;
}

export function createAgentMetrics(keysHeld: () => number): AgentMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'qkd_macsec_agent_requests_total',
    help: 'Requests by endpoint and outcome (ok, or the error code answered), alone or as items of a batch.',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'qkd_macsec_agent_refusals_total',
    help: 'Callers refused before any work: handshake (not our CA), no-certificate, wrong-name, wrong-pin.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const batches = new Counter({
    name: 'qkd_macsec_agent_batches_total',
    help: 'POST /v1/batch exchanges answered (each item is also in requests_total, under its endpoint).',
    registers: [registry],
  });
  const batched = new Counter({
    name: 'qkd_macsec_agent_batched_requests_total',
    help: 'Requests that came as items of a batch.',
    registers: [registry],
  });
  const connections = new Counter({
    name: 'qkd_macsec_agent_connections_total',
    help: 'TLS connections accepted (handshake done); each request should not need one.',
    registers: [registry],
  });
  const zeroed = new Counter({
    name: 'qkd_macsec_agent_keys_zeroed_total',
    help: 'Keys zeroed, by why: end (transaction over), ttl (never released in time), close.',
    labelNames: ['why'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'qkd_macsec_agent_keys_held',
    help: 'QKD keys held in memory now (one per SAE copy).',
    registers: [registry],
    collect() {
      this.set(keysHeld());
    },
  });
  return {
    registry,
    request: (endpoint, outcome) => requests.inc({ endpoint, outcome }),
    batch(items) {
      batches.inc();
      batched.inc(items);
    },
    refusal: (reason) => refusals.inc({ reason }),
    connection: () => connections.inc(),
    zeroed: (why) => zeroed.inc({ why }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
