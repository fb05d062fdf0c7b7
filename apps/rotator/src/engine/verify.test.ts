import { parseMkaSessions } from '@qkd-macsec/junos-netconf';
import { parseXml } from '@qkd-macsec/junos-netconf/xml';
import { describe, expect, it } from 'vitest';
import type { DeviceOps } from '../fleet/ops.js';
import type { ResolvedLink } from './config-view.js';
import type { EngineContext } from './context.js';
import { readSessions, verifyLinks } from './verify.js';

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

function context(replies: Record<string, string | Error>): EngineContext {
  const ops = (device: string) =>
    ({
      mkaSessions: async () => {
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

  it('verifies a link from the views: new CKN on every end, or what is wrong where', async () => {
    const secured = (ckn: string, type = 'primary') => ({ state: `Secured - ${type === 'fallback' ? 'Fallback' : 'Primary'}`, ckn, type });
    const check = async (r1: ReturnType<typeof secured>, r2: ReturnType<typeof secured>) =>
      (await verifyLinks(context({ r1: reply([{ iface: 'et-0/0/1', ...r1 }]), r2: reply([{ iface: 'et-0/0/2', ...r2 }]) }), [{ link, ckn: NEW.toLowerCase() }])).get('L1');
    expect(await check(secured(NEW), secured(NEW))).toBeUndefined();
    expect((await check(secured(NEW), secured(OLD)))?.message).toMatch(/r2 et-0\/0\/2: MKA secured with CKN CDCD.*, not the new abab/);
    expect(await check(secured(NEW), secured(NEW, 'fallback'))).toMatchObject({ device: 'r2', onFallback: true });
  });
});
