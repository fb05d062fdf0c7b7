import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountKeys, type StateView } from './key-accounting.js';
import type { KeyLogEntry } from './key-log.js';
import { buildTopology } from './topology.js';

const topology = buildTopology(3); // p01 r01-r02, p02 r02-r03, grp g0-g1-g2
const issue = (kme: string) => ({ keyId: randomUUID(), hex: randomBytes(32).toString('hex'), kme });
const kmeLine = (k: { keyId: string; hex: string; kme: string }): KeyLogEntry => ({ at: '2026-11-25T18:00:00.000Z', source: 'sim-kme', id: k.kme, keyId: k.keyId, hex: k.hex });
const onDevice = (hex: string, device: string): KeyLogEntry => ({ at: '2026-11-25T18:00:01.000Z', source: 'sim-junos', id: device, hex });

describe('accountKeys', () => {
  it('joins the two key logs on the hex and finds nothing wrong in a clean run', () => {
    const a = issue('KME_B');
    const g = issue('KME_A');
    const state: StateView = { keyIds: { [a.keyId]: { link: 'p01' }, [g.keyId]: { link: 'grp' } }, links: { p01: { keyId: a.keyId }, grp: { keyId: g.keyId } } };
    const r = accountKeys(topology, [kmeLine(a), kmeLine({ ...a, kme: 'KME_C' }), kmeLine(g)], [onDevice(a.hex, 'r01'), onDevice(a.hex, 'r02'), ...['g0', 'g1', 'g2'].map((d) => onDevice(g.hex, d))], state);
    expect(r.issued.size).toBe(2);
    expect([...r.installed.get(a.keyId)!]).toEqual(['r01', 'r02']);
    expect(r).toMatchObject({ installedTwice: [], missingFromState: [], cakNotFromQkd: 0 });
  });

  it('flags a key on the devices of two links', () => {
    const a = issue('KME_B');
    const state: StateView = { keyIds: { [a.keyId]: { link: 'p01' } }, links: {} };
    const r = accountKeys(topology, [kmeLine(a)], [onDevice(a.hex, 'r01'), onDevice(a.hex, 'r03')], state);
    expect(r.installedTwice).toEqual([a.keyId]);
  });

  it('flags one key_ID as the current key of two links', () => {
    const a = issue('KME_B');
    const state: StateView = { keyIds: { [a.keyId]: { link: 'p01' } }, links: { p01: { keyId: a.keyId }, p02: { keyId: a.keyId } } };
    expect(accountKeys(topology, [kmeLine(a)], [], state).installedTwice).toEqual([a.keyId]);
  });

  it('flags a key_ID that reached a device but is not in the state (a lost write)', () => {
    const a = issue('KME_B');
    const r = accountKeys(topology, [kmeLine(a)], [onDevice(a.hex, 'r01')], { keyIds: {}, links: {} });
    expect(r.missingFromState).toEqual([a.keyId]);
  });

  it('counts a CAK that no KME handed out (e.g. derived from a name)', () => {
    const r = accountKeys(topology, [], [onDevice('ab'.repeat(32), 'r01')], { keyIds: {}, links: {} });
    expect(r.cakNotFromQkd).toBe(1);
  });
});
