// `qkd-macsec validate [--connect]`: every config problem (path: problem), exit 1 if any; with
// --connect, each KME is asked for the status of every SAE pair a link needs (both directions)
// and each device for its facts, and a table shows what works.
import { checkConfigFile, formatIssue, type RotatorConfig } from '../../config/index.js';
import type { RotatorLogger } from '../../log/index.js';
import { deviceConnector, kmeClientFactory } from '../../fleet/connectors.js';
import { EXIT_FAILED, EXIT_OK, errorText, makeLogger, type CliDeps, type GlobalOptions } from '../context.js';
import { line } from '../io.js';
import { renderTable } from '../table.js';
import { devicePlatform, platformOfModel } from '../../init/platform.js';
import { platformRefusal } from '../../init/survey.js';

export interface ValidateOptions {
  connect?: boolean;
  json?: boolean;
}

export interface Probe {
  kind: 'kme' | 'device';
  target: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export async function validateCommand(deps: CliDeps, global: GlobalOptions, options: ValidateOptions): Promise<number> {
  const { io } = deps;
  const result = await checkConfigFile(global.config, { env: io.env });
  if (result.config === undefined) {
    if (options.json) line(io.stdout, JSON.stringify({ valid: false, issues: result.issues }, null, 2));
    else {
      line(io.stdout, `config ${global.config}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`);
      for (const issue of result.issues) line(io.stdout, `  ${formatIssue(issue)}`);
    }
    return EXIT_FAILED;
  }
  const config = result.config;
  const logger = makeLogger(io, global);
  const probes = options.connect ? await probeAll(config, logger) : [];
  const failed = probes.filter((p) => !p.ok).length;
  if (options.json) {
    line(io.stdout, JSON.stringify({ valid: true, file: config.file, warnings: config.warnings, summary: summary(config), ...(options.connect ? { probes } : {}) }, null, 2));
    return failed > 0 ? EXIT_FAILED : EXIT_OK;
  }
  line(io.stdout, `config ${config.file} is valid: ${summary(config)}`);
  for (const w of config.warnings) line(io.stdout, `  warning: ${w}`);
  if (options.connect) {
    line(io.stdout);
    line(io.stdout, renderTable(['kind', 'target', 'result', 'time', 'detail'], probes.map((p) => [p.kind, p.target, p.ok ? 'ok' : 'FAILED', `${Math.round(p.ms)} ms`, p.detail])));
    line(io.stdout);
    line(io.stdout, failed === 0 ? `all ${probes.length} checks passed` : `${failed} of ${probes.length} checks failed`);
  }
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

function summary(config: RotatorConfig): string {
  const groups = config.links.filter((l) => l.slaves.length > 1).length;
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  return [
    n(Object.keys(config.kmes).length, 'KME'),
    n(Object.keys(config.saes).length, 'SAE'),
    n(Object.keys(config.devices).length, 'device'),
    `${n(config.links.length, 'link')}${groups > 0 ? ` (${n(groups, 'group')})` : ''}`,
    `mode ${config.rotation.mode}`,
    `${config.rotation.cipherSuite}${config.rotation.cipherSuiteFrom === 'platform' ? ' (from the platforms)' : ''}`,
    `every ${config.rotation.intervalSeconds} s`,
  ].join(', ');
}

/** SAE pairs the links need: master → each slave, and each slave → master (dec_keys side). */
function saePairs(config: RotatorConfig): Array<[string, string]> {
  const pairs = new Map<string, [string, string]>();
  const saeOf = (device: string) => config.devices[device]!.sae;
  for (const link of config.links) {
    const master = saeOf(link.master.device);
    for (const s of link.slaves) {
      const slave = saeOf(s.device);
      pairs.set(`${master}>${slave}`, [master, slave]);
      pairs.set(`${slave}>${master}`, [slave, master]);
    }
  }
  return [...pairs.values()];
}

export async function probeAll(config: RotatorConfig, logger: RotatorLogger): Promise<Probe[]> {
  const kmeClient = kmeClientFactory(config, { logger });
  const connect = deviceConnector(config, { logger, rpcTimeoutMs: 15_000 });
  const timed = async (kind: Probe['kind'], target: string, fn: () => Promise<string>): Promise<Probe> => {
    const start = performance.now();
    try {
      return { kind, target, ok: true, detail: await fn(), ms: performance.now() - start };
    } catch (err) {
      return { kind, target, ok: false, detail: errorText(err), ms: performance.now() - start };
    }
  };
  const kmeProbes = saePairs(config).map(([from, to]) =>
    timed('kme', `${config.saes[from]!.kme} ${from} -> ${to}`, async () => {
      const client = kmeClient(from);
      try {
        const s = await client.getStatus(to, { timeoutMs: 10_000 });
        return `stored ${s.stored_key_count}/${s.max_key_count} keys of ${s.key_size} bits, ${s.min_key_size}..${s.max_key_size} bits per key, ${s.source_KME_ID} -> ${s.target_KME_ID}`;
      } finally {
        await client.close();
      }
    }),
  );
  const deviceProbes = Object.values(config.devices).map((d) =>
    timed('device', `${d.name} (${d.host}:${d.port})`, async () => {
      const device = await connect(d.name);
      try {
        const f = await device.facts();
        const p = devicePlatform(d.platform, f);
        const detected = platformOfModel(f.model, f.version);
        if (d.platform && detected && detected !== d.platform) throw new Error(`devices.${d.name}.platform is ${d.platform}, but the device is a ${f.model} (${detected})`);
        const refused = platformRefusal(p, config.rotation.mode);
        if (refused) throw new Error(refused);
        return `${f.hostname ?? '?'}: ${f.model ?? '?'} Junos ${f.version ?? '?'}, host key ${device.netconf.hostKeyFingerprint}, platform ${p.platform ?? 'unknown'} (${p.from})`;
      } finally {
        await device.close();
      }
    }),
  );
  return Promise.all([...kmeProbes, ...deviceProbes]);
}
