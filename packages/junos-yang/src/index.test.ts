// The runner's own logic, without yanglint: where it reads the YANG, what it reads there, and how
// it turns Junos XML (no namespaces, operation attributes) into what YANG validation takes. The
// validation itself is exercised by the tests that use it (macsec-config's junos-yang.test.ts,
// sim-junos's yang-differential, the rotator's yang-loads).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { familyModules, junosYangDir, withJunosNamespaces } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A YANG folder with one family holding the given section modules. */
function yangFolder(family: string, sections: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'junos-yang-test-'));
  dirs.push(dir);
  mkdirSync(join(dir, family));
  for (const s of sections) writeFileSync(join(dir, family, `junos-conf-${s}@2024-01-01.yang`), `module junos-conf-${s} {\n  namespace "http://yang.juniper.net/junos/conf/${s}";\n}\n`);
  return dir;
}

describe('junosYangDir', () => {
  it('is JUNOS_YANG_DIR when set, else <repo root>/../shared/junos-yang', () => {
    vi.stubEnv('JUNOS_YANG_DIR', '');
    expect(junosYangDir(import.meta.dirname)).toBe(resolve(import.meta.dirname, '../../../../shared/junos-yang'));
    vi.stubEnv('JUNOS_YANG_DIR', '/opt/yang');
    expect(junosYangDir(import.meta.dirname)).toBe('/opt/yang');
  });
});

describe('familyModules', () => {
  it('reads each section module and its namespace; system is absent where not published', () => {
    const dir = yangFolder('junos', ['root', 'security', 'event-options']);
    const mods = familyModules('junos', dir);
    expect(mods.modules.security?.namespace).toBe('http://yang.juniper.net/junos/conf/security');
    expect(mods.modules.system).toBeUndefined();
  });

  it('names the folder when conf-root or conf-security is missing', () => {
    const dir = yangFolder('evo', ['root']);
    expect(() => familyModules('evo', dir)).toThrow(`${join(dir, 'evo')} lacks the conf-root or conf-security module`);
  });
});

describe('withJunosNamespaces', () => {
  it('adds the namespaces, drops operation attributes, and drops sections the family does not publish', () => {
    const mods = familyModules('junos', yangFolder('junos', ['root', 'security', 'event-options']));
    const xml = '<?xml version="1.0"?><configuration><security><macsec inactive="inactive"/></security><system><host-name>r1</host-name></system></configuration>';
    expect(withJunosNamespaces(xml, mods)).toEqual({
      xml: '<configuration xmlns="http://yang.juniper.net/junos/conf/root"><security xmlns="http://yang.juniper.net/junos/conf/security"><macsec/></security></configuration>',
      dropped: ['system'],
    });
  });
});
