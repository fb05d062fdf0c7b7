// The daemon's Prometheus metrics, on a registry of their own (never prom-client's global one,
// so two daemons in one test process do not share counters), every name prefixed qkd_macsec_ and
// ending in its unit (_seconds, _total) as Prometheus's naming conventions ask. Key age is computed at scrape time
// from the last success, so it grows between cycles without a timer.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every name of the rotator's own metrics starts with this (prom-client's process metrics keep their standard names). */
const METRIC_PREFIX = 'qkd_macsec_';

export interface RotatorMetrics {
  registry: Registry;
  /** One link's rotation finished with `result`; on success, `at` is when its new key activated. */
  recordRotation(link: string, result: string, at?: Date): void;
  /** Seed the last success of a link (e.g. from the state file at start-up). */
  setLastSuccess(link: string, at: Date): void;
  /** Whether the link's MKA was last seen secured (a verified rotation, a verify failure, `status` at start-up). */
  setLinkSecured(link: string, secured: boolean): void;
  /** A KME request took `seconds`; `answered` false when no HTTP answer came (timeout, connection, TLS). */
  observeKmeRequest(kme: string, operation: string, seconds: number, answered?: boolean): void;
  observeCommit(device: string, seconds: number): void;
  /** A NETCONF session to the device was opened (true) or could not be (false). */
  setDeviceReachable(device: string, reachable: boolean): void;
  /** When the SAE's client certificate expires. */
  setCertificateExpiry(sae: string, notAfter: Date): void;
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
   * from then on, with nothing to stop them. They keep their standard names, without the prefix,
   * so that the usual Node.js dashboards read them.
   */
  processMetrics?: boolean;
  /**
   * The config's rotation interval and certificate renewal policy, exposed as gauges so that
   * alerting rules compare with what this daemon was told (key age above two intervals,
   * certificate expiry closer than renewBeforeDays) instead of copies of the numbers.
   */
  policy?: { intervalSeconds: number; renewBeforeDays: number };
}

export function createMetrics(options: MetricsOptions = {}): RotatorMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const lastSuccess = new Map<string, number>();
  const gauge = (name: string, help: string, labelNames: string[] = [], collect?: (this: Gauge) => void) =>
    new Gauge({ name: `${METRIC_PREFIX}${name}`, help, labelNames, registers: [registry], ...(collect !== undefined ? { collect } : {}) });
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) => new Histogram({ name: `${METRIC_PREFIX}${name}`, help, labelNames, buckets, registers: [registry] });

  const rotations = new Counter({
    name: `${METRIC_PREFIX}rotations_total`,
    help: 'Link rotations by outcome (success, failed, skipped).',
    labelNames: ['link', 'result'] as const,
    registers: [registry],
  });
  const lastSuccessGauge = gauge('last_success_timestamp_seconds', 'Unix time of the last successful rotation of the link.', ['link']);
  gauge('key_age_seconds', 'Seconds since the link last got a new key (from the last successful rotation).', ['link'], function () {
    this.reset();
    for (const [link, at] of lastSuccess) this.set({ link }, Math.max(0, (now() - at) / 1000));
  });
  const secured = gauge('link_secured', "1 while the link's MKA was last seen secured (a verified rotation, or status at start-up), 0 once a check found it not secured.", ['link']);
  const kme = histogram('kme_request_duration_seconds', 'ETSI 014 request latency by KME and operation (enc_keys, dec_keys, status).', ['kme', 'operation'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);
  const kmeUp = gauge('kme_up', "1 when the KME's last request got an HTTP answer (an error status included), 0 when it got none (timeout, refused, TLS).", ['kme']);
  // The fleet's commit latency as one histogram, each device's as one gauge: a histogram per
  // device was 4,000 × 13 series at fleet size — 8 MB of heap, a 3.4 MB /metrics, 220 ms of the
  // event loop to render at every scrape.
  const commit = histogram('commit_duration_seconds', 'NETCONF commit (confirmed) and confirm latency, every device.', [], [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120]);
  const lastCommit = gauge('last_commit_duration_seconds', 'Latency of the last NETCONF commit (confirmed) or confirm on the device.', ['device']);
  const deviceUp = gauge('device_up', '1 when the last NETCONF session to the device opened, 0 when it could not be opened.', ['device']);
  const certExpiry = gauge('certificate_expiry_timestamp_seconds', 'Unix time at which the SAE client certificate expires (its notAfter).', ['sae']);

  let deadlines: readonly Date[] = [];
  gauge('unresolved_transactions', 'Unfinished transactions (journals) in the state: a rotator died mid-cycle, or its devices cannot be reached to resolve it.', [], function () {
    this.set(deadlines.length);
  });
  gauge('confirm_deadline_remaining_seconds', 'Seconds until the nearest confirm deadline of an unfinished transaction (negative once passed); +Inf when there is none.', [], function () {
    this.set(deadlines.length > 0 ? (Math.min(...deadlines.map((d) => d.getTime())) - now()) / 1000 : Infinity);
  });
  const onFallback = gauge('links_on_fallback', 'Links whose MACsec runs on the fallback key because their primary keys do not match (the next rotation repairs them).');
  onFallback.set(0);
  if (options.policy !== undefined) {
    gauge('rotation_interval_seconds', 'The rotation interval the daemon runs on (rotation.intervalSeconds).').set(options.policy.intervalSeconds);
    gauge('certificate_renew_before_seconds', 'How long before expiry a certificate is due for renewal (certificates.renewBeforeDays).').set(options.policy.renewBeforeDays * 86_400);
  }

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
    setLinkSecured: (link, yes) => secured.set({ link }, yes ? 1 : 0),
    observeKmeRequest(k, operation, seconds, answered = true) {
      kme.observe({ kme: k, operation }, seconds);
      kmeUp.set({ kme: k }, answered ? 1 : 0);
    },
    observeCommit(device, seconds) {
      commit.observe(seconds);
      lastCommit.set({ device }, seconds);
    },
    setDeviceReachable: (device, yes) => deviceUp.set({ device }, yes ? 1 : 0),
    setCertificateExpiry: (sae, notAfter) => certExpiry.set({ sae }, notAfter.getTime() / 1000),
    setUnresolved: (list) => void (deadlines = [...list]),
    setLinksOnFallback: (links) => onFallback.set(new Set(links).size),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
