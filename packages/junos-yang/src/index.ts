// Test support: validate Junos configuration XML against Juniper's published 24.4R1 YANG with
// libyang's `yanglint` (Debian: libyang2-tools). A private workspace package, never published:
// macsec-config's, sim-junos's and the rotator's tests share this one runner.
//
// The YANG lives outside the repository, in `<repo root>/../shared/junos-yang` (Apache-2.0,
// never copied in); `JUNOS_YANG_DIR` points elsewhere (a git worktree, say).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The four 24.4R1 families: Junos OS (MX), QFX/EX, SRX, and Junos OS Evolved (PTX, ACX, QFX). */
export const YANG_FAMILIES = ['junos', 'junos-qfx', 'junos-es', 'evo'] as const;
export type YangFamily = (typeof YANG_FAMILIES)[number];

/** Top-level configuration sections this runner knows (each one YANG module per family). */
const SECTIONS = ['root', 'security', 'event-options', 'system'] as const;
type Section = (typeof SECTIONS)[number];

export interface FamilyModules {
  family: YangFamily;
  dir: string;
  /** Module file and namespace per section; `system` is absent where not published (junos). */
  modules: Partial<Record<Section, { file: string; namespace: string }>>;
}

/** The repository root: the nearest folder above `from` holding nx.json. */
function repoRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where the YANG is read from: `JUNOS_YANG_DIR`, else `<repo root>/../shared/junos-yang`. */
export function junosYangDir(from: string = process.cwd()): string {
  const override = process.env.JUNOS_YANG_DIR;
  if (override) return resolve(override);
  const root = repoRoot(from) ?? resolve(from);
  return resolve(root, '..', 'shared', 'junos-yang');
}

/** The module files of one family, with the namespaces read from their `namespace` lines. */
export function familyModules(family: YangFamily, dir: string = junosYangDir()): FamilyModules {
  const folder = join(dir, family);
  const files = readdirSync(folder).filter((f) => f.endsWith('.yang'));
  const modules: FamilyModules['modules'] = {};
  for (const section of SECTIONS) {
    const file = files.find((f) => new RegExp(`^junos(?:-es|-qfx)?-conf-${section}@`).test(f));
    if (!file) continue;
    const ns = /^\s*namespace\s+"([^"]+)"/m.exec(readFileSync(join(folder, file), 'utf8'));
    if (!ns) throw new Error(`${family}/${file} has no namespace line`);
    modules[section] = { file: join(folder, file), namespace: ns[1]! };
  }
  if (!modules.root || !modules.security) throw new Error(`${folder} lacks the conf-root or conf-security module`);
  return { family, dir: folder, modules };
}

export interface YangAvailability {
  dir: string;
  /** What is missing, e.g. `yanglint (apt-get install libyang2-tools)`; empty when all is there. */
  missing: string[];
  /** `CI=true`: a test must fail rather than skip when something is missing. */
  required: boolean;
}

/** Whether yanglint and the four families are there, for a test to run, skip or fail. */
export function yangAvailability(from?: string): YangAvailability {
  const dir = junosYangDir(from);
  const missing: string[] = [];
  if (spawnSync('yanglint', ['--version'], { stdio: 'ignore' }).status !== 0) missing.push('yanglint (apt-get install libyang2-tools)');
  for (const family of YANG_FAMILIES) if (!existsSync(join(dir, family))) missing.push(`${join(dir, family)} (Juniper's 24.4R1 YANG)`);
  return { dir, missing, required: process.env.CI === 'true' };
}

/**
 * Junos XML carries no namespaces; YANG validation needs them: the family's root namespace on
 * `<configuration>` and each section module's on the top-level children. Junos' operation and
 * state attributes (`inactive`, `delete`, `replace`, `junos:*`) are not data and are dropped.
 * Sections the family does not publish (junos has no system module) are dropped too and listed.
 */
export function withJunosNamespaces(xml: string, family: FamilyModules): { xml: string; dropped: string[] } {
  let body = xml.replace(/<\?xml[^>]*\?>/, '').replace(/\s(?:inactive|delete|replace|operation|junos:[\w-]+)="[^"]*"/g, '');
  const dropped: string[] = [];
  for (const section of ['security', 'event-options', 'system'] as const) {
    const mod = family.modules[section];
    const open = new RegExp(`<${section}(\\s*/?)>`, 'g');
    if (!mod) {
      if (open.test(body)) dropped.push(section);
      body = body.replace(new RegExp(`<${section}\\s*/>|<${section}>[\\s\\S]*?</${section}>`, 'g'), '');
      continue;
    }
    body = body.replace(open, `<${section} xmlns="${mod.namespace}"$1>`);
  }
  body = body.replace(/<configuration(\s*\/?)>/, `<configuration xmlns="${family.modules.root!.namespace}"$1>`);
  return { xml: body, dropped };
}

export interface YangResult {
  ok: boolean;
  /** yanglint's messages (empty when ok). */
  errors: string;
  /** Sections not validated because the family publishes no module for them. */
  skipped: string[];
}

/** Validates one `<configuration>` (Junos XML, no namespaces) against one family's YANG. */
export function validateWithYang(xml: string, family: YangFamily, dir: string = junosYangDir()): YangResult {
  const mods = familyModules(family, dir);
  const { xml: data, dropped } = withJunosNamespaces(xml, mods);
  const work = mkdtempSync(join(tmpdir(), 'junos-yang-'));
  try {
    const file = join(work, 'config.xml');
    writeFileSync(file, data);
    const files = SECTIONS.map((s) => mods.modules[s]?.file).filter((f): f is string => f !== undefined);
    const run = spawnSync('yanglint', ['-p', mods.dir, '-t', 'config', ...files, file], { encoding: 'utf8' });
    if (run.error) throw run.error;
    const errors = `${run.stdout}${run.stderr}`.trim();
    return { ok: run.status === 0 && !/\berr\b|\[E\]/.test(errors), errors, skipped: dropped };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
