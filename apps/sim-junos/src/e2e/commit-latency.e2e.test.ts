// A commit under the commitLatencyMs fault does its work when it arrives — validation, the
// active tree, the link model's reading of the keys — and only installs the result when the
// latency is over, so a fleet's commits do not all validate in one burst as their latencies end.
// What a client sees does not change: another session reads the old configuration during the
// latency, errors are answered at its end, and a shared candidate changed meanwhile is checked
// again. checkMustRules (commit check's junos:must rules, never run by a load) is watched to tell
// when the validation ran.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';
import { rawNetconf, type RawNetconf } from '../testing/raw-netconf.js';

const validations = vi.hoisted(() => [] as number[]);
vi.mock('../validate-must.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../validate-must.js')>();
  return {
    ...real,
    checkMustRules: (...args: Parameters<typeof real.checkMustRules>) => {
      validations.push(performance.now());
      return real.checkMustRules(...args);
    },
  };
});

const LATENCY = 600;
let sim: SimJunos;
beforeAll(async () => {
  sim = await startSimJunos({ devices: { r1: { config: 'set system host-name old', faults: { commitLatencyMs: LATENCY } } } });
});
afterAll(() => sim.close());

const open = (): Promise<RawNetconf> => {
  const d = sim.devices.r1!;
  return rawNetconf({ host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint });
};
const loadSet = (nc: RawNetconf, set: string) => nc.rpc(`<load-configuration action="set" format="text"><configuration-set>${set}</configuration-set></load-configuration>`);
const hostName = async (nc: RawNetconf) => /<host-name>([^<]*)<\/host-name>/.exec(await nc.rpc('<get-configuration database="committed"><configuration><system><host-name/></system></configuration></get-configuration>'))?.[1];
/** The first validation at or after `since` (waits for it, up to 10 latencies). */
async function validationAfter(since: number): Promise<number> {
  for (const deadline = performance.now() + 10 * LATENCY; performance.now() < deadline; await new Promise((r) => setTimeout(r, 5))) {
    const at = validations.find((t) => t >= since);
    if (at !== undefined) return at;
  }
  throw new Error('the commit was never validated');
}
const timed = async (p: Promise<string>) => {
  const reply = await p;
  return { reply, at: performance.now() };
};

describe('commit latency', () => {
  it('validates a commit when it arrives, installs it when the latency is over; another session reads the old configuration meanwhile', async () => {
    const [a, b] = [await open(), await open()];
    try {
      expect(await a.rpc('<lock-configuration/>')).toContain('<ok/>');
      expect(await loadSet(a, 'set system host-name new')).toContain('<load-success/>');
      const sent = performance.now();
      const commit = timed(a.rpc('<commit-configuration/>'));
      const validatedAt = await validationAfter(sent);
      const during = await timed(hostName(b).then((h) => h ?? '(none)'));
      const done = await commit;
      expect(done.reply).toContain('<commit-success/>');
      // Validated at arrival, answered a whole latency later (timers never fire early). Before
      // the change the validation came after the latency, right before the answer.
      expect(done.at - validatedAt).toBeGreaterThanOrEqual(LATENCY - 20);
      expect(during.reply).toBe('old');
      expect(during.at).toBeLessThan(done.at);
      expect(await hostName(b)).toBe('new');
      expect(sim.device('r1').history()).toHaveLength(2);
      expect(await a.rpc('<unlock-configuration/>')).toContain('<ok/>');
    } finally {
      a.close();
      b.close();
    }
  });

  it('answers a commit that fails validation with its error at the end of the latency, and commits nothing', async () => {
    const a = await open();
    try {
      const before = sim.device('r1').history().length;
      expect(await loadSet(a, 'set security macsec connectivity-association CA security-mode static-cak\nset security macsec connectivity-association CA pre-shared-key-chain NOPE')).toContain('<load-success/>');
      for (const rpc of ['<commit-configuration><check/></commit-configuration>', '<commit-configuration/>']) {
        const sent = performance.now();
        const { reply, at } = await timed(a.rpc(rpc));
        expect(at - sent).toBeGreaterThanOrEqual(LATENCY - 20);
        expect(reply).toContain('authentication-key-chains not defined !!');
        expect(reply).toContain('<error-severity>error</error-severity>');
      }
      expect(sim.device('r1').history()).toHaveLength(before);
      expect(await a.rpc('<discard-changes/>')).toContain('<ok/>');
    } finally {
      a.close();
    }
  });

  it('checks the shared candidate again when another session changed it during the latency', async () => {
    const [a, b] = [await open(), await open()];
    try {
      const before = sim.device('r1').history().length;
      expect(await loadSet(a, 'set system host-name valid')).toContain('<load-success/>');
      const sent = performance.now();
      const commit = a.rpc('<commit-configuration/>');
      await validationAfter(sent); // A's candidate, as it was, passed
      // No lock: B changes the shared candidate A is committing (a load accepts it; commit check does not).
      expect(await loadSet(b, 'set security macsec interfaces et-0/0/0 connectivity-association MISSING')).toContain('<load-success/>');
      const reply = await commit;
      expect(reply).toContain('Connectivity association not defined');
      expect(sim.device('r1').history()).toHaveLength(before);
      expect(await hostName(a)).not.toBe('valid');
      expect(await b.rpc('<discard-changes/>')).toContain('<ok/>');
    } finally {
      a.close();
      b.close();
    }
  });
});
