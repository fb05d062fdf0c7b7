import { parseMkaSessions } from '@qkd-macsec/junos-netconf';
import { parseXml } from '@qkd-macsec/junos-netconf/xml';
import { describe, expect, it } from 'vitest';
import type { DeviceOps } from '../fleet/ops.js';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';
import { firstReads, readSessions, verifyLinks } from './verify.js';

const NEW = 'AB'.repeat(32);
const OLD = 'CD'.repeat(32);

// A reply as Junos gives it (show security mka sessions | display xml), one session per interface.
const reply = (sessions: Array<{ iface: string; state: string; ckn: string; type?: string }>) =>
  `<rpc-reply message-id="7"><mka-session-information>${sessions
    .map(
      (s) =>
        `<mka-session-info><interface-name>${s.iface}</interface-name><interface-state>${s.state}</interface-state><member-identifier>0123456789ABCDEF01234567</member-identifier><cak-name>${s.ckn}</cak-name>${s.type ? `<cak-type>${s.type}</cak-type>` : ''}<transmit-interval>2000</transmit-interval><key-server>yes</key-server><latest-sak-ki>0123456789ABCDEF01234567/1</latest-sak-ki></mka-session-info>`,
    )
    .join('')}</mka-session-information></rpc-reply>`;

/** The devices read, in order, through every context made here. */
const reads: string[] = [];

function context(replies: Record<string, string | Error>): EngineContext {
  const ops = (device: string) =>
    ({
      mkaSessions: async () => {
        reads.push(device);
        const r = replies[device];
        if (r instanceof Error) throw r;
        return parseMkaSessions(parseXml(r!));
      },
    }) as unknown as DeviceOps;
  return {
    fleet: { withDevice: (device: string, fn: (d: DeviceOps) => Promise<unknown>) => fn(ops(device)) },
    store: { load: async () => ({ keyIds: {}, links: {} }) },
    logger: { error: () => undefined },
  } as unknown as EngineContext;
}

const link: ResolvedLink = {
  name: 'L1',
  keyChain: 'qkd-L1',
  connectivityAssociation: 'qkd-L1',
  ends: [
    { device: 'r1', sae: 'SAE_A', interfaces: ['et-0/0/1'] },
    { device: 'r2', sae: 'SAE_B', interfaces: ['et-0/0/2'] },
  ],
} as unknown as ResolvedLink;

describe('reading MKA sessions for a check', () => {
  it('keeps what the checks read of each session, and none of the reply', async () => {
    const ctx = context({ r1: reply([{ iface: 'et-0/0/1', state: 'Secured - Primary', ckn: NEW, type: 'primary' }]), r2: new Error('session closed') });
    const sessions = await readSessions(ctx, ['r1', 'r2']);
    expect(sessions.get('r1')).toEqual([{ interface: 'et-0/0/1', secured: true, state: 'Secured - Primary', cakType: 'primary', ckn: NEW }]);
    // The parsed session carries `raw` (its reply's tree) and a dozen more fields: a view has five.
    expect(Object.keys((sessions.get('r1') as object[])[0]!).sort()).toEqual(['cakType', 'ckn', 'interface', 'secured', 'state']);
    expect(sessions.get('r2')).toBeInstanceOf(Error);
  });

  it('verifies a link from the views: one end secured on the new CKN proves it, else what is wrong where, from both ends', async () => {
    const secured = (ckn: string, type = 'primary') => ({ state: `Secured - ${type === 'fallback' ? 'Fallback' : 'Primary'}`, ckn, type });
    const unsecured = { state: 'Unsecured', ckn: OLD };
    const check = async (r1: { state: string; ckn: string; type?: string } | Error, r2: { state: string; ckn: string; type?: string } | Error) => {
      reads.length = 0;
      const replies = { r1: r1 instanceof Error ? r1 : reply([{ iface: 'et-0/0/1', ...r1 }]), r2: r2 instanceof Error ? r2 : reply([{ iface: 'et-0/0/2', ...r2 }]) };
      return (await verifyLinks(context(replies), [{ link, ckn: NEW.toLowerCase() }])).get('L1');
    };
    expect(await check(secured(NEW), secured(NEW))).toBeUndefined();
    expect(reads).toEqual(['r1']); // its live peer signs with the new CAK: r2 holds it
    // r1 proves nothing: r2 is read, and proves the link…
    expect(await check(new Error('session closed'), secured(NEW))).toBeUndefined();
    expect(reads).toEqual(['r1', 'r2']);
    // …or both ends say what is wrong, r1's first.
    const both = await check(unsecured, secured(OLD));
    expect(both?.device).toBe('r1');
    expect(both?.message).toMatch(/^link L1 after the start-time: r1 et-0\/0\/1: MKA not secured \(Unsecured\); r2 et-0\/0\/2: MKA secured with CKN CDCD.*, not the new abab/);
    expect(await check(new Error('session closed'), new Error('timed out'))).toMatchObject({ device: 'r1', message: expect.stringMatching(/cannot read MKA sessions on r1: .*session closed.*; cannot read MKA sessions on r2: .*timed out/) });
    expect(await check(secured(NEW, 'fallback'), secured(NEW, 'fallback'))).toMatchObject({ device: 'r1', onFallback: true });
    expect(await check(secured(NEW), secured(NEW, 'fallback'))).toBeUndefined(); // r1 proves it; r2 is not read
    expect(reads).toEqual(['r1']);
  });

  it('an end with no interface listed proves nothing: the other end is read and must check out', async () => {
    const bare = { ...link, ends: [{ ...link.ends[0]!, interfaces: [] }, link.ends[1]!] } as unknown as ResolvedLink;
    reads.length = 0;
    const problems = await verifyLinks(context({ r1: reply([]), r2: reply([{ iface: 'et-0/0/2', state: 'Unsecured', ckn: OLD }]) }), [{ link: bare, ckn: NEW }]);
    expect(reads).toEqual(['r1', 'r2']);
    expect(problems.get('L1')).toMatchObject({ device: 'r2', message: expect.stringMatching(/r2 et-0\/0\/2: MKA not secured/) });
  });

  it('a link with more than two ends is read at every end, and every end must check out', async () => {
    const three = { ...link, ends: [...link.ends, { device: 'r3', sae: 'SAE_C', interfaces: ['et-0/0/3'] }] } as unknown as ResolvedLink;
    const ok = (iface: string) => reply([{ iface, state: 'Secured - Primary', ckn: NEW }]);
    reads.length = 0;
    const problems = await verifyLinks(context({ r1: ok('et-0/0/1'), r2: ok('et-0/0/2'), r3: reply([{ iface: 'et-0/0/3', state: 'Secured - Primary', ckn: OLD }]) }), [{ link: three, ckn: NEW }]);
    expect(reads.sort()).toEqual(['r1', 'r2', 'r3']);
    expect(problems.get('L1')).toMatchObject({ device: 'r3', message: expect.stringMatching(/r3 et-0\/0\/3: MKA secured with CKN CDCD/) });
  });
});

describe('which ends a verification reads first', () => {
  const l = (name: string, ...devices: string[]) => ({ link: { name, ends: devices.map((device) => ({ device, interfaces: ['xe-0/0/0'] })) } as unknown as ResolvedLink, ckn: NEW });

  it('one device per two-ended link: a hub once for all its spokes', () => {
    expect(firstReads([l('A', 's1', 'hub'), l('B', 'hub', 's2'), l('C', 's3', 'hub')])).toEqual(['hub']);
  });

  it('a device read for one link covers its others; links with nothing to choose by alternate sides', () => {
    expect(firstReads([l('A', 'a1', 'b1'), l('B', 'a2', 'b2'), l('C', 'b2', 'c1'), l('D', 'a4', 'b4')])).toEqual(['a1', 'b2', 'b4']);
  });

  it('every end of a link with more than two', () => {
    expect(firstReads([l('A', 'm', 's1', 's2'), l('B', 's1', 'x')])).toEqual(['m', 's1', 's2']);
  });
});
