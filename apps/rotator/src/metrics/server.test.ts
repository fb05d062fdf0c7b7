import { afterEach, describe, expect, it } from 'vitest';
import { createHealth } from './health.js';
import { createMetrics } from './registry.js';
import { startMetricsServer, type MetricsServer } from './server.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics endpoint over HTTP', () => {
  it('serves every metric in the Prometheus text format', async () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const metrics = createMetrics({ now: () => now });
    const health = createHealth({ intervalSeconds: 60, now: () => now });
    metrics.recordRotation('dc1-dc2', 'success', new Date(now - 30_000));
    metrics.recordRotation('dc1-dc2', 'success', new Date(now - 10_000));
    metrics.recordRotation('grp', 'failed');
    metrics.observeKmeRequest('KME_A', 'enc_keys', 0.042);
    metrics.observeCommit('r1', 1.5);
    metrics.observeCommit('r2', 0.75);
    metrics.setCertificateExpiry('SAE_A', new Date(Date.UTC(2026, 0, 13)));
    metrics.setLinkSecured('dc1-dc2', true);
    metrics.setLinkSecured('grp', false);
    metrics.observeKmeRequest('KME_B', 'dec_keys', 10, false);
    metrics.setDeviceReachable('r1', true);
    metrics.setDeviceReachable('r3', false);
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics, health });
    now += 5_000;
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('qkd_macsec_rotations_total{link="dc1-dc2",result="success"} 2');
    expect(text).toContain('qkd_macsec_rotations_total{link="grp",result="failed"} 1');
    expect(text).toContain(`qkd_macsec_last_success_timestamp_seconds{link="dc1-dc2"} ${(now - 5_000 - 10_000) / 1000}`);
    expect(text).toContain('qkd_macsec_key_age_seconds{link="dc1-dc2"} 15');
    expect(text).not.toContain('qkd_macsec_key_age_seconds{link="grp"}');
    expect(text).toContain('qkd_macsec_kme_request_duration_seconds_bucket{le="0.05",kme="KME_A",operation="enc_keys"} 1');
    // Commits: the fleet's histogram, no series per device (4,000 × 13 of them at fleet size); a gauge each.
    expect(text).toContain('qkd_macsec_commit_duration_seconds_bucket{le="0.5"} 0');
    expect(text).toContain('qkd_macsec_commit_duration_seconds_bucket{le="1"} 1');
    expect(text).toContain('qkd_macsec_commit_duration_seconds_bucket{le="2"} 2');
    expect(text).not.toMatch(/^qkd_macsec_commit_duration_seconds\w*\{[^}]*device=/m);
    expect(text).toContain('qkd_macsec_last_commit_duration_seconds{device="r1"} 1.5');
    expect(text).toContain('qkd_macsec_last_commit_duration_seconds{device="r2"} 0.75');
    expect(text).toContain(`qkd_macsec_certificate_expiry_timestamp_seconds{sae="SAE_A"} ${Date.UTC(2026, 0, 13) / 1000}`);
    expect(text).toContain('qkd_macsec_link_secured{link="dc1-dc2"} 1');
    expect(text).toContain('qkd_macsec_link_secured{link="grp"} 0');
    expect(text).toContain('qkd_macsec_kme_up{kme="KME_A"} 1');
    expect(text).toContain('qkd_macsec_kme_up{kme="KME_B"} 0');
    expect(text).toContain('qkd_macsec_device_up{device="r1"} 1');
    expect(text).toContain('qkd_macsec_device_up{device="r3"} 0');
    // Without a policy, no policy gauges; every name carries the prefix.
    expect(text).not.toContain('qkd_macsec_rotation_interval_seconds');
    for (const m of text.matchAll(/^# TYPE (\S+)/gm)) expect(m[1]).toMatch(/^qkd_macsec_/);
    // A registry made without processMetrics carries the rotator's metrics only.
    expect(text).not.toMatch(/^(process|nodejs)_/m);
  });

  it('/healthz: 503 before any cycle once two intervals pass, 200 after a good cycle, 503 when a cycle failed entirely', async () => {
    let now = Date.UTC(2026, 0, 1);
    const health = createHealth({ intervalSeconds: 60, now: () => now });
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: createMetrics(), health });
    const get = async () => {
      const res = await fetch(`${server!.url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    expect(await get()).toMatchObject({ status: 200, body: { status: 'ok', cycles: 0, lastCycle: null } });
    now += 121_000;
    expect(await get()).toMatchObject({ status: 503, body: { status: 'unhealthy', problems: ['no cycle finished since start-up 121 s ago'] } });

    health.cycleFinished({ startedAt: new Date(now - 2000), finishedAt: new Date(now), links: 2, succeeded: 1, failed: 1, errors: [{ link: 'b', error: 'KME 503' }] });
    expect(await get()).toMatchObject({ status: 200, body: { status: 'ok', cycles: 1, lastCycle: { links: 2, succeeded: 1, failed: 1, errors: [{ link: 'b', error: 'KME 503' }] } } });

    health.cycleFinished({ startedAt: new Date(now), finishedAt: new Date(now), links: 2, succeeded: 0, failed: 2, errors: [] });
    expect(await get()).toMatchObject({ status: 503, body: { problems: ['the last cycle failed on every link'] } });

    health.cycleFinished({ startedAt: new Date(now), finishedAt: new Date(now), links: 2, succeeded: 2, failed: 0, errors: [] });
    now += 119_500;
    expect((await get()).status).toBe(200);
    now += 2_000;
    expect(await get()).toMatchObject({ status: 503, body: { problems: ['no cycle finished for 122 s (interval 60 s)'] } });
  });

  it('unfinished transactions and links on fallback: the metrics, and /healthz 503 past a confirm deadline or while a link is on fallback', async () => {
    let now = Date.UTC(2026, 0, 1);
    const metrics = createMetrics({ now: () => now });
    const health = createHealth({ intervalSeconds: 3600, now: () => now });
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics, health });
    const scrape = async () => (await fetch(`${server!.url}/metrics`)).text();
    const get = async () => {
      const res = await fetch(`${server!.url}/healthz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    let text = await scrape();
    expect(text).toContain('qkd_macsec_unresolved_transactions 0');
    expect(text).toContain('qkd_macsec_confirm_deadline_remaining_seconds +Inf');
    expect(text).toContain('qkd_macsec_links_on_fallback 0');

    const deadline = new Date(now + 40_000);
    metrics.setUnresolved([new Date(now + 90_000), deadline]);
    health.setUnresolved([{ cycleId: 'c1', links: ['L1', 'L2'], deadline }]);
    text = await scrape();
    expect(text).toContain('qkd_macsec_unresolved_transactions 2');
    expect(text).toContain('qkd_macsec_confirm_deadline_remaining_seconds 40');
    expect(await get()).toMatchObject({ status: 200, body: { status: 'ok', unresolvedTransactions: 1 } });

    now += 45_000; // past the deadline and still unresolved
    expect(await scrape()).toContain('qkd_macsec_confirm_deadline_remaining_seconds -5');
    expect(await get()).toMatchObject({
      status: 503,
      body: { problems: ['transaction c1 (links L1, L2) is unresolved 5 s past its confirm deadline 2026-01-01T00:00:40.000Z'] },
    });
    metrics.setUnresolved([]);
    health.setUnresolved([]);
    expect((await get()).status).toBe(200);
    expect(await scrape()).toContain('qkd_macsec_unresolved_transactions 0');

    metrics.setLinksOnFallback(['L2', 'L2', 'G1']);
    health.setLinksOnFallback(['L2', 'G1']);
    expect(await scrape()).toContain('qkd_macsec_links_on_fallback 2');
    expect(await get()).toMatchObject({ status: 503, body: { linksOnFallback: ['G1', 'L2'], problems: ['links G1, L2 on the fallback key (primary keys do not match; the next rotation repairs them)'] } });
    health.setLinksOnFallback([]);
    expect((await get()).status).toBe(200);
  });

  it('other paths 404, other methods 405, and a port in use is a clear error', async () => {
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics: createMetrics(), health: createHealth({ intervalSeconds: 60 }) });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
    await expect(startMetricsServer({ host: '127.0.0.1', port: server.port, metrics: createMetrics(), health: createHealth({ intervalSeconds: 60 }) })).rejects.toThrow(
      `metrics endpoint cannot listen on 127.0.0.1:${server.port}: EADDRINUSE`,
    );
  });
});
