// `qkd-macsec validate [--connect]`: every config problem (path: problem) on stderr, exit 2 if any; which
// process holds which link's keys (direct vs site agents); with --connect, each KME the coordinator
// reaches is asked for the status of every SAE pair a link needs (both directions), each direct
// device for its facts, and each site's agent for the same about its own KMEs and devices.
import { allDevices, checkConfigFile, formatIssue, type RotatorConfig, type SiteConfig } from '../../config/index.js';
import type { RotatorLogger } from '../../log/index.js';
import { deviceConnector, kmeClientFactory } from '../../fleet/connectors.js';
import { defaultAgentWiring, type AgentCheck, type AgentWiring } from '../agents.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, errorText, makeLogger, type CliDeps, type GlobalOptions } from '../context.js';
import { keyCustody, custodyLines } from '../custody.js';
import { line } from '../io.js';
import { renderTable } from '../table.js';
import { devicePlatform, platformOfModel } from '../../init/platform.js';
import { platformRefusal } from '../../init/survey.js';

export interface ValidateOptions {
  connect?: boolean;
  json?: boolean;
}

interface Probe {
  kind: 'kme' | 'device' | 'agent';
  target: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export async function validateCommand(deps: CliDeps, global: GlobalOptions, options: ValidateOptions): Promise<number> {
  const { io } = deps;
  const result = await checkConfigFile(global.config, { env: io.env });
  if (result.config === undefined) {
    // A config that cannot be used is the operator's to fix: exit 2, as every command does for it.
    if (options.json) line(io.stdout, JSON.stringify({ valid: false, file: global.config, issues: result.issues }, null, 2));
    else {
      line(io.stderr, `config ${global.config}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'}`);
      for (const issue of result.issues) line(io.stderr, `  ${formatIssue(issue)}`);
    }
    return EXIT_USAGE;
  }
  const config = result.config;
  const logger = makeLogger(io, global);
  const probes = options.connect ? await probeAll(config, logger, deps.agents ?? defaultAgentWiring) : [];
  const failed = probes.filter((p) => !p.ok).length;
  const custody = keyCustody(config);
  if (options.json) {
    line(io.stdout, JSON.stringify({ valid: true, file: config.file, warnings: config.warnings, summary: summary(config), custody, ...(options.connect ? { probes } : {}) }, null, 2));
    return failed > 0 ? EXIT_FAILED : EXIT_OK;
  }
  line(io.stdout, `config ${config.file} is valid: ${summary(config)}`);
  for (const w of config.warnings) line(io.stdout, `  warning: ${w}`);
  line(io.stdout);
  for (const l of custodyLines(custody)) line(io.stdout, l);
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
  const sites = Object.values(config.sites);
  const siteSaes = sites.reduce((sum, s) => sum + s.saes.length, 0);
  return [
    n(Object.keys(config.kmes).length, 'KME'),
    n(Object.keys(config.saes).length + siteSaes, 'SAE'),
    n(allDevices(config).size, 'device'),
    ...(sites.length > 0 ? [`${n(sites.length, 'site')} with an agent`] : []),
    `${n(config.links.length, 'link')}${groups > 0 ? ` (${n(groups, 'group')})` : ''}`,
    `mode ${config.rotation.mode}`,
    `${config.rotation.cipherSuite}${config.rotation.cipherSuiteFrom === 'platform' ? ' (from the platforms)' : ''}`,
    `every ${config.rotation.intervalSeconds} s`,
  ].join(', ');
}

/** SAE pairs the links need: master → each slave, and each slave → master (dec_keys side). */
function saePairs(config: RotatorConfig): Array<[string, string]> {
  const pairs = new Map<string, [string, string]>();
  const devices = allDevices(config);
  const saeOf = (device: string) => devices.get(device)!.sae;
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

async function probeAll(config: RotatorConfig, logger: RotatorLogger, agents: AgentWiring = defaultAgentWiring): Promise<Probe[]> {
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
  // An SAE at a site is the agent's to check: the coordinator has no certificate for it.
  const kmeProbes = saePairs(config).filter(([from]) => config.saes[from] !== undefined).map(([from, to]) =>
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
  // Each agent checks the pairs whose first SAE is at its site (enc_keys or dec_keys from there).
  const pairs = saePairs(config);
  const agentProbes = Object.values(config.sites).map((site) =>
    probeAgent(site, pairs.filter(([from]) => site.saes.includes(from)).map(([sae, slave]) => ({ sae, slave })), logger, agents),
  );
  return [...(await Promise.all([...kmeProbes, ...deviceProbes])), ...(await Promise.all(agentProbes)).flat()];
}

/** One row for the agent itself, then one per KME pair and device it checked at its site. */
async function probeAgent(site: SiteConfig, pairs: Array<{ sae: string; slave: string }>, logger: RotatorLogger, agents: AgentWiring): Promise<Probe[]> {
  const start = performance.now();
  let check: AgentCheck;
  try {
    check = await agents.checkAgent(site, { logger, pairs });
  } catch (err) {
    return [{ kind: 'agent', target: `${site.name} (${site.agent.url})`, ok: false, detail: errorText(err), ms: performance.now() - start }];
  }
  const ms = performance.now() - start;
  const failing = check.kmes.filter((k) => !k.ok).length + check.devices.filter((d) => !d.ok).length;
  return [
    {
      kind: 'agent',
      target: `${site.name} (${site.agent.url})`,
      // Reached: the failures at the site are counted in their own rows below, not twice.
      ok: check.error === undefined && (check.ok || failing > 0),
      detail: check.error ?? `reached over mutual TLS; ${check.kmes.length} KME and ${check.devices.length} device checks at the site${failing > 0 ? `, ${failing} failing` : ''}`,
      ms,
    },
    ...check.kmes.map((k) => ({ kind: 'kme' as const, target: `agent ${site.name}: ${k.sae} -> ${k.slave}`, ok: k.ok, detail: k.message ?? 'ok', ms })),
    ...check.devices.map((d) => ({
      kind: 'device' as const,
      target: `${d.device} (agent ${site.name})`,
      ok: d.ok,
      detail: d.message ?? `${d.model ?? '?'} Junos ${d.version ?? '?'}`,
      ms,
    })),
  ];
}
