// Differential test: sim-junos accepts exactly what Juniper's 24.4R1 YANG accepts. fast-check
// generates configurations of security macsec, authentication-key-chains and event-options for
// each platform family — valid ones and ones with one subtle mutation (testing/config-gen.ts,
// testing/config-mutations.ts) — and each is loaded into sim-junos through its real load path
// (`loadInto` + commit check, in-process for all of them; over NETCONF, as XML on the wire, for
// every 8th) and validated by yanglint against that family's YANG (one yanglint process per
// family for the whole batch; a few cross-checked with macsec-config's `validateWithYang`).
//
// sim-junos and yanglint must agree on accept/reject for every configuration. yanglint does not
// check Junos' `junos:must` rules nor its `junos:posix-pattern`s (nor MACsec's own key rules): for
// mutations breaking one of those, the generator knows the verdict — yanglint must accept (so the
// mutation is invisible to the YANG proper) and sim-junos must refuse.
//
// Seeded: set SIM_YANG_SEED to replay a run; the seed is printed, and a failure shows it with the
// first disagreement as XML (CAKs and secrets shown by length only). Without yanglint or the
// YANG folder the suite skips with a warning, except under CI=true, where it fails.
import { validateWithYang, yangAvailability, YANG_FAMILIES } from '@qkd-macsec/junos-yang';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../clock.js';
import { emptyTree } from '../config-tree.js';
import { xmlToTree } from '../config-xml.js';
import { startSimJunos, type SimJunos } from '../index.js';
import type { PlatformFamily } from '../platform.js';
import { RpcFailure, type RpcErrorInfo } from '../rpc-error.js';
import { applyTree, loadInto } from '../rpc-handlers/load-configuration.js';
import { createConfigStore } from '../store.js';
import { toXml, validConfig, type X } from '../testing/config-gen.js';
import { MUTATIONS, type Expectation } from '../testing/config-mutations.js';
import { rawNetconf, type RawNetconf } from '../testing/raw-netconf.js';
import { validateBatch, type BatchVerdict } from '../testing/yanglint-batch.js';
import { parseXmlDocument } from '../xml.js';

const avail = yangAvailability();
const skip = avail.missing.length > 0 && !avail.required;
if (skip) console.warn(`sim-junos YANG differential test SKIPPED: missing ${avail.missing.join('; ')} (set JUNOS_YANG_DIR, or CI=true to fail)`);

const SEED = process.env.SIM_YANG_SEED !== undefined ? Number(process.env.SIM_YANG_SEED) : Math.floor(Math.random() * 2 ** 31);
const VALID_PER_FAMILY = 60;
const MUTATED_PER_FAMILY = 160;
const OVER_NETCONF_EVERY = 8;

interface Case {
  family: PlatformFamily;
  what: string;
  expect: Expectation;
  xml: string;
}

interface SimVerdict {
  ok: boolean;
  errors: RpcErrorInfo[];
}

function cases(family: PlatformFamily, seed: number): Case[] {
  const valid = fc.sample(validConfig(family), { seed, numRuns: VALID_PER_FAMILY });
  const mutated = fc.sample(fc.tuple(validConfig(family), fc.constantFrom(...MUTATIONS), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })), { seed: seed + 1, numRuns: MUTATED_PER_FAMILY });
  return [
    ...valid.map((x): Case => ({ family, what: 'valid', expect: 'accept', xml: toXml(x) })),
    ...mutated.map(([x, m, pick]): Case => {
      const cfg = structuredClone(x) as X;
      m.apply(cfg, family, pick);
      return { family, what: m.name, expect: m.expect(family), xml: toXml(cfg) };
    }),
  ];
}

/** The real load path, in-process: a load (override) into a fresh candidate, then commit check. */
function simVerdict(xml: string, family: PlatformFamily): SimVerdict {
  const store = createConfigStore(manualClock(), emptyTree(), family);
  const session = { id: 1, user: 'differential' };
  try {
    loadInto(store, session, (tree) => applyTree(tree, xmlToTree(parseXmlDocument(xml)), 'override'));
    store.check(session);
    return { ok: true, errors: [] };
  } catch (e) {
    if (e instanceof RpcFailure) return { ok: false, errors: e.errors };
    throw e;
  }
}

/** The same over NETCONF: `<load-configuration action="override">`, then `commit check`. */
async function simVerdictOverNetconf(nc: RawNetconf, xml: string): Promise<boolean> {
  const failed = (reply: string) => reply.includes('<error-severity>error</error-severity>');
  if (failed(await nc.rpc(`<load-configuration action="override" format="xml">${xml}</load-configuration>`))) return false;
  return !failed(await nc.rpc('<commit-configuration><check/></commit-configuration>'));
}

/** Key material of the XML (test values), to check no error quotes it and to print it masked. */
const secretsOf = (xml: string) => [...xml.matchAll(/<(cak|secret)>([^<]*)<\//g)].map((m) => m[2]!).filter((s) => s.length >= 16);
const masked = (xml: string) => xml.replace(/<(cak|secret)>([^<]*)<\//g, (_, tag: string, v: string) => `<${tag}>(${v.length} characters)</`);

function disagreement(c: Case, yang: BatchVerdict, sim: SimVerdict): string | undefined {
  const visibleToYang = c.expect !== 'junos';
  if (visibleToYang && yang.ok !== sim.ok) return `yanglint ${yang.ok ? 'accepts' : 'refuses'}, sim-junos ${sim.ok ? 'accepts' : 'refuses'}`;
  if (c.expect === 'accept' && !yang.ok) return 'expected valid, both refuse';
  if (c.expect === 'yang' && yang.ok) return 'expected the YANG to refuse it, both accept';
  if (c.expect === 'junos' && !yang.ok) return 'expected a rule yanglint does not check, but yanglint refuses';
  if (c.expect === 'junos' && sim.ok) return 'expected sim-junos to refuse (junos:must / posix-pattern / MACsec key rule), it accepts';
  return undefined;
}

const report = (c: Case, why: string, yang: BatchVerdict, sim: SimVerdict, n: number) =>
  [
    `sim-junos and the YANG disagree (seed ${SEED}; replay with SIM_YANG_SEED=${SEED}); ${n} disagreement(s), the first:`,
    `family ${c.family}, case "${c.what}" (expected ${c.expect}): ${why}`,
    `yanglint: ${yang.errors || 'ok'}`,
    `sim-junos: ${sim.ok ? 'ok' : sim.errors.map((e) => `[edit ${e.path?.join(' ') ?? ''}] ${e.badElement ?? ''}: ${e.message}`).join('; ')}`,
    masked(c.xml),
  ].join('\n');

describe.skipIf(skip)('sim-junos against Juniper 24.4R1 YANG (differential, yanglint)', () => {
  let sim: SimJunos;
  beforeAll(async () => {
    console.info(`YANG differential seed ${SEED} (SIM_YANG_SEED to replay)`);
    sim = await startSimJunos({ devices: Object.fromEntries(YANG_FAMILIES.map((f) => [f, { platform: f, password: 'differential' }])) });
  });
  afterAll(() => sim?.close());

  it('finds yanglint and all four families', () => {
    expect(avail.missing).toEqual([]);
  });

  for (const [i, family] of YANG_FAMILIES.entries()) {
    it(`agrees with yanglint on every generated ${family} configuration`, async () => {
      const all = cases(family, SEED + 10 * i);
      const yang = validateBatch(all.map((c) => c.xml), family, avail.dir);
      // the batch reads yanglint's interactive output: cross-check it with the one-shot runner
      for (const k of [0, VALID_PER_FAMILY, all.length - 1]) expect(validateWithYang(all[k]!.xml, family, avail.dir).ok, `runner vs batch on case ${k}`).toBe(yang[k]!.ok);

      const verdicts = all.map((c) => simVerdict(c.xml, family));
      const problems = all.flatMap((c, k) => {
        const why = disagreement(c, yang[k]!, verdicts[k]!);
        return why ? [report(c, why, yang[k]!, verdicts[k]!, 0)] : [];
      });
      expect(problems.length, problems[0]?.replace(/; 0 disagreement/, `; ${problems.length} disagreement`)).toBe(0);

      // every refusal names where, and never quotes a secret
      for (const [k, v] of verdicts.entries()) {
        for (const e of v.errors) expect(e.path, `case ${k}: ${e.message}`).toBeDefined();
        for (const s of secretsOf(all[k]!.xml)) expect(JSON.stringify(v.errors)).not.toContain(s);
      }
      // both outcomes are well represented, so the test can fail either way
      expect(verdicts.filter((v) => v.ok).length).toBeGreaterThan(VALID_PER_FAMILY / 2);
      expect(verdicts.filter((v) => !v.ok).length).toBeGreaterThan(MUTATED_PER_FAMILY / 2);

      // a sample over NETCONF: the wire path gives the same verdicts
      const d = sim.devices[family]!;
      const nc = await rawNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint });
      try {
        for (let k = 0; k < all.length; k += OVER_NETCONF_EVERY) {
          const wire = await simVerdictOverNetconf(nc, all[k]!.xml);
          expect(wire, `seed ${SEED}, ${family} case ${k} "${all[k]!.what}": over NETCONF ${wire ? 'accepted' : 'refused'}, in-process ${verdicts[k]!.ok ? 'accepted' : 'refused'}\n${masked(all[k]!.xml)}`).toBe(verdicts[k]!.ok);
        }
      } finally {
        nc.close();
      }
    }, 120_000);
  }
});
