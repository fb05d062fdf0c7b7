// The systemd unit shipped in apps/rotator/systemd: the settings the daemon's safety relies on
// (restart always, a dedicated user, a 0700 state directory, the hardening), and — where
// systemd-analyze is installed — that systemd itself parses it without a warning.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const UNITS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'systemd');

/** section -> key -> values (a key may repeat). */
function parseUnit(source: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      sections.set(header[1]!, (current = new Map()));
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`cannot parse unit line "${line}"`);
    current.set(kv[1]!, [...(current.get(kv[1]!) ?? []), kv[2]!]);
  }
  return sections;
}

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const haveAnalyze = analyze.status === 0;
// CI installs systemd (.ci/run): there a missing tool is a failure, not a skip.
if (!haveAnalyze && process.env.CI === 'true') throw new Error('systemd-analyze is missing under CI=true: .ci/run must install the systemd package');
if (!haveAnalyze) console.warn('systemd-analyze not installed: skipping `systemd-analyze verify` of the unit (apt-get install systemd)');

describe.each([
  { file: 'qkd-macsec.service', command: ' run', stateDirectory: 'qkd-macsec', stop: /^(1[0-9]|[2-9][0-9])min$/, nodeOptions: '--max-semi-space-size=16' },
  { file: 'qkd-macsec-agent.service', command: ' agent', stateDirectory: 'qkd-macsec-agent', stop: /^[1-9][0-9]s$/, nodeOptions: '--max-semi-space-size=8' },
])('systemd/$file', ({ file, command, stateDirectory, stop, nodeOptions }) => {
  const text = readFileSync(join(UNITS, file), 'utf8');
  const unit = parseUnit(text);
  const service = unit.get('Service')!;
  const one = (key: string) => service.get(key)?.at(-1);

  it('restarts always within seconds, as a dedicated user, with a 0700 state directory', () => {
    expect(one('Restart')).toBe('always');
    expect(Number(one('RestartSec'))).toBeLessThanOrEqual(5);
    expect(one('User')).toBe('qkd-macsec');
    expect(one('User')).not.toBe('root');
    expect(one('StateDirectory')).toBe(stateDirectory);
    expect(one('StateDirectoryMode')).toBe('0700');
    expect(one('UMask')).toBe('0077');
    expect(one('ExecStart')?.endsWith(command)).toBe(true);
    // Keys are in memory during a transaction: never in a core file.
    expect(one('LimitCORE')).toBe('0');
    // The young generation node can only size at start (cli/heap.ts; heap.test.ts checks its effect).
    expect(service.get('Environment')).toContain(`NODE_OPTIONS=${nodeOptions}`);
    expect(unit.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is hardened', () => {
    for (const [key, value] of Object.entries({
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      CapabilityBoundingSet: '',
      SystemCallArchitectures: 'native',
    })) {
      expect([key, one(key)]).toEqual([key, value]);
    }
    expect(one('RestrictAddressFamilies')?.split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    // The daemon: longer than a default cycle (5 min confirm timeout + 2 min lead time + the MKA check);
    // the agent: long enough to zero its keys and close its sessions.
    expect(one('TimeoutStopSec')).toMatch(stop);
  });

  it.skipIf(!haveAnalyze)('systemd-analyze verify accepts it without a warning', () => {
    // verify checks that ExecStart exists: point it at this Node binary for the check.
    const dir = mkdtempSync(join(tmpdir(), 'qkd-macsec-unit-'));
    try {
      const copy = join(dir, file);
      writeFileSync(copy, text.replace(/^ExecStart=\S+/m, `ExecStart=${process.execPath}`));
      const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 0, stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
