// The daemon's Prometheus metrics, on a registry of their own (never prom-client's global one,
// so two daemons in one test process do not share counters). Key age is computed at scrape time
// from the last success, so it grows between cycles without a timer.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface RotatorMetrics {
  registry: Registry;
  /** One link's rotation finished with `result`; on success, `at` is when its new key activated. */
  recordRotation(link: string, result: string, at?: Date): void;
  /** Seed the last success of a link (e.g. from the state file at start-up). */
  setLastSuccess(link: string, at: Date): void;
  observeKmeRequest(kme: string, operation: string, seconds: number): void;
  observeCommit(device: string, seconds: number): void;
  setCertificateDaysLeft(sae: string, days: number): void;
  /** The unfinished transactions in the state now, by confirm deadline (from the daemon after each cycle and resume). */
  setUnresolved(deadlines: readonly Date[]): void;
  /** Links whose MKA runs on the fallback key (from LinkReport.onFallback). */
  setLinksOnFallback(links: readonly string[]): void;
  /** The text exposition format. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  now?: () => number;
  /**
   * Also prom-client's standard process and Node.js metrics (`process_resident_memory_bytes`,
   * `nodejs_heap_size_used_bytes`, `nodejs_gc_duration_seconds`, `nodejs_eventloop_lag_seconds`, …):
   * for a process that serves them for its whole life (`run`), as they watch the event loop and GC
   * from then on, with nothing to stop them.
   */
  processMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): RotatorMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const lastSuccess = new Map<string, number>();

  const rotations = new Counter({
    name: 'rotations_total',
    help: 'Link rotations by outcome (success, failed, skipped).',
    labelNames: ['link', 'result'] as const,
    registers: [registry],
  });
  const lastSuccessGauge = new Gauge({
    name: 'last_success_timestamp_seconds',
    help: 'Unix time of the last successful rotation of the link.',
    labelNames: ['link'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'key_age_seconds',
    help: 'Seconds since the link last got a new key (from the last successful rotation).',
    labelNames: ['link'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [link, at] of lastSuccess) this.set({ link }, Math.max(0, (now() - at) / 1000));
    },
  });
  const kme = new Histogram({
    name: 'kme_request_duration_seconds',
    help: 'ETSI 014 request latency by KME and operation (enc_keys, dec_keys, status).',
    labelNames: ['kme', 'operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // The fleet's commit latency as one histogram, each device's as one gauge: a histogram per
  // device was 4,000 × 13 series at fleet size — 8 MB of heap, a 3.4 MB /metrics, 220 ms of the
  // event loop to render at every scrape.
  const commit = new Histogram({
    name: 'commit_duration_seconds',
    help: 'NETCONF commit (confirmed) and confirm latency, every device.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const lastCommit = new Gauge({
    name: 'last_commit_duration_seconds',
    help: 'Latency of the last NETCONF commit (confirmed) or confirm on the device.',
    labelNames: ['device'] as const,
    registers: [registry],
  });
  const certDays = new Gauge({
    name: 'certificate_days_left',
    help: 'Days until the SAE client certificate expires (negative once expired).',
    labelNames: ['sae'] as const,
    registers: [registry],
  });

  let deadlines: readonly Date[] = [];
  new Gauge({
    name: 'qkd_macsec_unresolved_transactions',
    help: 'Unfinished transactions (journals) in the state: a rotator died mid-cycle, or its devices cannot be reached to resolve it.',
    registers: [registry],
    collect() {
      this.set(deadlines.length);
    },
  });
  new Gauge({
    name: 'qkd_macsec_seconds_to_nearest_deadline',
    help: 'Seconds until the nearest confirm deadline of an unfinished transaction (negative once passed); +Inf when there is none.',
    registers: [registry],
    collect() {
      this.set(deadlines.length > 0 ? (Math.min(...deadlines.map((d) => d.getTime())) - now()) / 1000 : Infinity);
    },
  });
  const onFallback = new Gauge({
    name: 'qkd_macsec_links_on_fallback',
    help: 'Links whose MACsec runs on the fallback key because their primary keys do not match (the next rotation repairs them).',
    registers: [registry],
  });
  onFallback.set(0);

  const setLastSuccess = (link: string, at: Date) => {
    lastSuccess.set(link, at.getTime());
    lastSuccessGauge.set({ link }, at.getTime() / 1000);
  };
  return {
    registry,
    recordRotation(link, result, at) {
      rotations.inc({ link, result });
      if (result === 'success') setLastSuccess(link, at ?? new Date(now()));
    },
    setLastSuccess,
    observeKmeRequest: (k, operation, seconds) => kme.observe({ kme: k, operation }, seconds),
    observeCommit(device, seconds) {
      commit.observe(seconds);
      lastCommit.set({ device }, seconds);
    },
    setCertificateDaysLeft: (sae, days) => certDays.set({ sae }, Math.round(days * 100) / 100),
    setUnresolved: (list) => void (deadlines = [...list]),
    setLinksOnFallback: (links) => onFallback.set(new Set(links).size),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
