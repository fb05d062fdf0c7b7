// The Grafana dashboard and the Prometheus alerting rules shipped in monitoring/ name only metrics
// the daemon's /metrics exposes (its registry made as `run` makes it, served over HTTP), and the
// rules pass promtool: `check rules`, and `test rules` on monitoring/alerts.test.yml, which makes
// each alert fire. promtool comes with Debian's `prometheus` package; without it these two tests
// are skipped with a message, except under CI=true, where they fail.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { daemonMetrics } from '../cli/commands/run.js';
import { createHealth } from './health.js';
import { startMetricsServer, type MetricsServer } from './server.js';

const monitoring = (file: string) => fileURLToPath(new URL(`../../monitoring/${file}`, import.meta.url));
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan']);

/** The metric names a PromQL expression reads (strings, label matchers, ranges, label lists and functions left out). */
function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\blabel_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,[^)]*\)/g, '$1'); // Grafana's: label_values(metric, label)
  const names: string[] = [];
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    if (m.index > 0 && /[0-9.$]/.test(s[m.index - 1]!)) continue; // 1e8, $__rate_interval
    if (s.slice(m.index + m[0].length).trimStart().startsWith('(')) continue; // a function
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

/** Every series name /metrics can carry: each family, and a histogram's _bucket, _sum, _count. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name!}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name!}${s}`);
  }
  return names;
}

interface Rules {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
}
interface Dashboard {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ type: string; query?: unknown }> };
}

const rules = parse(readFileSync(monitoring('alerts.yml'), 'utf8')) as Rules;
const dashboard = JSON.parse(readFileSync(monitoring('dashboard.json'), 'utf8')) as Dashboard;

let server: MetricsServer;
let exposed: Set<string>;
beforeAll(async () => {
  // As `run` makes it: the rotator's metrics, the policy gauges from the config, the process's.
  const metrics = daemonMetrics({ rotation: { intervalSeconds: 3600 }, certificates: { renewBeforeDays: 30 } } as Parameters<typeof daemonMetrics>[0]);
  server = await startMetricsServer({ host: '127.0.0.1', port: 0, metrics, health: createHealth({ intervalSeconds: 3600 }) });
  exposed = exposedNames(await (await fetch(`${server.url}/metrics`)).text());
});
afterAll(() => server.close());

describe('monitoring/: the dashboard and the alerting rules', () => {
  it('reads metric names out of PromQL (so a wrong name would be seen)', () => {
    expect(metricNames('sum by (le) (rate(foo_seconds_bucket{a="b",c=~"$d"}[$__rate_interval])) > on(job) group_left() 2 * bar_total offset 5m')).toEqual(['foo_seconds_bucket', 'bar_total']);
    expect(metricNames('count(x == 0) or vector(0)')).toEqual(['x']);
    expect(metricNames('label_values(qkd_macsec_links_on_fallback, instance)')).toEqual(['qkd_macsec_links_on_fallback']);
    expect(exposed.has('qkd_macsec_kme_request_duration_seconds_bucket')).toBe(true);
    expect(exposed.has('qkd_macsec_no_such_metric')).toBe(false);
  });

  it('every alert reads metrics the daemon exposes, and the alerts the operations guide asks for exist', () => {
    const all = rules.groups.flatMap((g) => g.rules);
    const used = all.map((r) => ({ alert: r.alert, names: metricNames(r.expr) }));
    for (const u of used) expect(u.names.length, `${u.alert} reads no metric`).toBeGreaterThan(0);
    expect(used.flatMap((u) => u.names.filter((n) => !exposed.has(n)).map((n) => `${u.alert}: ${n}`))).toEqual([]);
    expect(all.map((r) => r.alert).sort()).toEqual([
      'QkdMacsecCertificateDueForRenewal',
      'QkdMacsecDeviceUnreachable',
      'QkdMacsecKeyAgeAboveTwoIntervals',
      'QkdMacsecKmeUnreachable',
      'QkdMacsecLinkNotSecured',
      'QkdMacsecLinkOnFallback',
      'QkdMacsecMetricsAbsent',
      'QkdMacsecTransactionPastConfirmDeadline',
      'QkdMacsecUnresolvedTransaction',
    ]);
  });

  it('every dashboard query (panels and variables) reads metrics the daemon exposes', () => {
    const queries = [
      ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr }))),
      ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: 'variable', expr: String(v.query) })),
    ];
    expect(queries.length).toBeGreaterThan(10);
    for (const q of queries) expect(metricNames(q.expr).length, `${q.where} reads no metric`).toBeGreaterThan(0);
    expect(queries.flatMap((q) => metricNames(q.expr).filter((n) => !exposed.has(n)).map((n) => `${q.where}: ${n}`))).toEqual([]);
  });
});

const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const ci = process.env.CI === 'true';
if (!promtool && !ci) console.warn('monitoring.test.ts: promtool not found, `promtool check rules` and `promtool test rules` skipped (Debian: apt-get install prometheus)');

describe.skipIf(!promtool && !ci)('monitoring/alerts.yml under promtool', () => {
  const run = (...args: string[]) => {
    if (!promtool) throw new Error('promtool is not installed (Debian package `prometheus`); CI=true needs it');
    return spawnSync('promtool', args, { encoding: 'utf8', cwd: monitoring('') });
  };

  it('promtool check rules', () => {
    const r = run('check', 'rules', 'alerts.yml');
    expect(r.stdout + r.stderr).toContain('SUCCESS: 9 rules found');
    expect(r.status).toBe(0);
  });

  it('promtool test rules: each alert fires on its series, not before its `for:`', () => {
    const r = run('test', 'rules', 'alerts.test.yml');
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const tested = new Set([...readFileSync(monitoring('alerts.test.yml'), 'utf8').matchAll(/alertname: (\S+)/g)].map((m) => m[1]));
    expect([...tested].sort()).toEqual(rules.groups.flatMap((g) => g.rules.map((r2) => r2.alert)).sort());
  });
});
