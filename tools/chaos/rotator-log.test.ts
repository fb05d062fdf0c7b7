import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addLogText, attemptsOf, emptyFacts, followRotatorLogs } from './rotator-log.js';

const K1 = '11111111-1111-4111-8111-111111111111';
const K2 = '22222222-2222-4222-8222-222222222222';
const K3 = '33333333-3333-4333-8333-333333333333';
const line = (msg: string) => `${JSON.stringify({ time: '2026-11-25T18:00:00.000Z', level: 'info', msg })}\n`;

describe('rotator log facts', () => {
  it('reads fetches, activations, fallback keys, resumes and failures', () => {
    const f = addLogText(
      emptyFacts(),
      [
        line(`link p01: key ${K1} fetched (256 bits) for SAE_r01, SAE_r02`),
        line(`link p01: key ${K1} active on r01, r02 since 2026-11-25T18:00:10.000Z`),
        line(`link grp: fallback key ${K2} fetched (256 bits) for SAE_g0, SAE_g1, SAE_g2`),
        line(`link grp: fallback key ${K2} installed on g0, g1, g2`),
        line(`link p02: resumed key ${K3}: decided and on every end, confirmed; completed`),
        line(`link p03: resumed key ${K1} rolled back (no decision); removed from r03, the previous key stays active`),
        line('link p04: fetch failed: KME_B answered 503'),
        line('link p04: confirm failed on r04: dropped'),
        'Error: a crash trace\n',
      ].join(''),
    );
    expect([...f.fetched]).toEqual([[K1, 'p01']]);
    expect([...f.fetchedFallback]).toEqual([[K2, 'grp']]);
    expect([...f.active]).toEqual([[K1, 'p01'], [K3, 'p02']]);
    expect([...f.fallbackInstalled]).toEqual([[K2, 'grp']]);
    expect([...f.resumedRolledBack]).toEqual([[K1, 'p03']]);
    expect(Object.fromEntries(f.failures)).toEqual({ fetch: 1, confirm: 1 });
    expect(f.otherLines).toBe(1);
    expect(attemptsOf(f)).toBe(2);
  });

  describe('followRotatorLogs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chaos-logs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads only whole new lines of every .stderr.log on each call', async () => {
      const follow = followRotatorLogs(dir);
      writeFileSync(join(dir, 'daemon.0001.stderr.log'), line(`link p01: key ${K1} fetched`) + line(`link p02: key ${K2} fet`).slice(0, 30));
      writeFileSync(join(dir, 'daemon.0001.stdout.log'), line(`link p09: key ${K3} fetched`));
      expect(attemptsOf(await follow.read())).toBe(1);
      appendFileSync(join(dir, 'daemon.0001.stderr.log'), `${line(`link p02: key ${K2} fetched`).slice(30)}`);
      writeFileSync(join(dir, 'rotate.0002.stderr.log'), line(`link p05: fetch failed: timeout`));
      expect(attemptsOf(await follow.read())).toBe(3);
      expect(attemptsOf(await follow.read())).toBe(3);
    });
  });
});
