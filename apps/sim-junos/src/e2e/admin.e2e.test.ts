// The admin endpoint over real HTTP, its effect over real SSH: a fault set while a NETCONF session
// is open changes that session's next RPC — latency, a hang, and "no confirm" (the confirming
// commit drops the connection and is not applied, so the commit confirmed rolls back).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimConfigError, startSimJunos, type SimJunos } from '../index.js';
import { rawNetconf } from '../testing/raw-netconf.js';

const CKN = '11'.repeat(32);
const CAK = 'aa'.repeat(32);
const FB_CKN = 'fb'.repeat(32);
const FB_CAK = 'fc'.repeat(32);
const config = [
  'set system host-name HOST',
  'set security macsec connectivity-association CA security-mode static-cak',
  `set security macsec connectivity-association CA pre-shared-key ckn ${CKN} cak ${CAK}`,
  `set security macsec connectivity-association CA fallback-key ckn ${FB_CKN} cak ${FB_CAK}`,
  'set security macsec interfaces ge-0/0/0 connectivity-association CA',
].join('\n');

let sim: SimJunos;
beforeAll(async () => {
  sim = await startSimJunos({
    clock: 'manual',
    startTime: '2026-03-01T00:00:00Z',
    admin: {},
    devices: { r1: { config: config.replace('HOST', 'r1') }, r2: { config: config.replace('HOST', 'r2') } },
    links: [{ id: 'L', a: 'r1:ge-0/0/0', b: 'r2:ge-0/0/0' }],
  });
});
afterAll(() => sim.close());

const login = (name: string) => {
  const d = sim.devices[name]!;
  return { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprint: d.hostKeyFingerprint };
};
async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.adminUrl}${path}`, {
    method,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
/** The RPC's reply, or 'no answer' when none came within `ms`. */
const within = (reply: Promise<string>, ms: number) =>
  Promise.race([reply, new Promise<string>((resolve) => setTimeout(() => resolve('no answer'), ms).unref())]);

describe('admin endpoint', () => {
  it('listens on loopback and lists every device\'s faults', async () => {
    expect(sim.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await admin('GET', '/faults')).toEqual({ status: 200, json: { r1: {}, r2: {} } });
  });

  it('a latency set while a session is open delays that session\'s next RPC; clearing it removes the delay', async () => {
    const nc = await rawNetconf(login('r1'));
    expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>r1</host-name>');
    expect(await admin('PUT', '/faults/r1', { rpcLatencyMs: 400 })).toEqual({ status: 200, json: { rpcLatencyMs: 400 } });
    expect(sim.getFaults('r1')).toEqual({ rpcLatencyMs: 400 });
    const delayed = nc.rpc('<get-software-information/>');
    expect(await within(delayed, 150)).toBe('no answer'); // still waiting…
    expect(await delayed).toContain('<host-name>r1</host-name>'); // …then answered
    expect(await admin('DELETE', '/faults/r1')).toEqual({ status: 200, json: {} });
    expect(await within(nc.rpc('<get-software-information/>'), 5_000)).toContain('<host-name>r1</host-name>');
    nc.close();
  });

  it('hangRpcs leaves the open session\'s next RPC unanswered; a new session works once cleared', async () => {
    const nc = await rawNetconf(login('r2'));
    expect(await nc.rpc('<get-software-information/>')).toContain('<host-name>r2</host-name>');
    expect((await admin('PATCH', '/faults/r2', { hangRpcs: true })).status).toBe(200);
    const hung = nc.rpc('<get-software-information/>');
    expect(await within(hung, 500)).toBe('no answer');
    expect(await admin('PATCH', '/faults/r2', { hangRpcs: null })).toEqual({ status: 200, json: {} });
    expect(await within(hung, 300)).toBe('no answer'); // a hung RPC stays hung
    nc.close();
    const fresh = await rawNetconf(login('r2'));
    expect(await fresh.rpc('<get-software-information/>')).toContain('<host-name>r2</host-name>');
    fresh.close();
  });

  it('PATCH merges into the faults, PUT replaces them', async () => {
    await admin('PUT', '/faults/r2', { commitLatencyMs: 5, failCommits: 2 });
    expect(await admin('PATCH', '/faults/r2', { failCommits: 1, dropAfterRpcs: 3 })).toEqual({ status: 200, json: { commitLatencyMs: 5, failCommits: 1, dropAfterRpcs: 3 } });
    expect(await admin('PUT', '/faults/r2', { hostileReply: 'malformed' })).toEqual({ status: 200, json: { hostileReply: 'malformed' } });
    expect(await admin('GET', '/faults/r2')).toEqual({ status: 200, json: { hostileReply: 'malformed' } });
    await admin('DELETE', '/faults/r2');
  });

  it('a bad body gets 400 naming the field and changes nothing; an unknown device 404', async () => {
    await admin('PUT', '/faults/r1', { commitLatencyMs: 7 });
    const bad = await admin('PUT', '/faults/r1', { rpcLatencyMs: 'slow' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^rpcLatencyMs: .*expected number/);
    const negative = await admin('PATCH', '/faults/r1', { commitLatencyMs: -1 });
    expect(negative.status).toBe(400);
    expect(negative.json.error).toMatch(/^commitLatencyMs: /);
    const unknown = await admin('PATCH', '/faults/r1', { latency: 5 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/Unrecognized key: "latency"/);
    const notJson = await admin('PUT', '/faults/r1', '{"rpcLatencyMs": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not valid JSON/);
    expect(sim.getFaults('r1')).toEqual({ commitLatencyMs: 7 });
    const missing = await admin('PUT', '/faults/r9', {});
    expect(missing.status).toBe(404);
    expect(missing.json.error).toMatch(/no device "r9"/);
    expect((await admin('POST', '/faults/r1', {})).status).toBe(405);
    expect((await admin('GET', '/nothing')).status).toBe(404);
    await admin('DELETE', '/faults/r1');
  });

  it('dropOnConfirm: the confirming commit drops the connection, is not applied, and the commit confirmed rolls back at its timeout', async () => {
    const nc = await rawNetconf(login('r1'));
    expect((await admin('PATCH', '/faults/r1', { dropOnConfirm: true })).status).toBe(200);
    // Without a pending commit confirmed, commits go through as usual.
    await nc.rpc('<load-configuration action="set"><configuration-set>set system location building lab</configuration-set></load-configuration>');
    expect(await nc.rpc('<commit-configuration/>')).toContain('<commit-success/>');
    await nc.rpc('<load-configuration action="set"><configuration-set>set system host-name r1-staged</configuration-set></load-configuration>');
    expect(await nc.rpc('<commit-configuration><confirmed/><confirm-timeout>1</confirm-timeout></commit-configuration>')).toContain('<commit-success/>');
    const commits = sim.device('r1').history().length;
    await expect(nc.rpc('<commit-configuration/>')).rejects.toThrow(/closed/);
    expect(sim.device('r1').history()).toHaveLength(commits); // the confirm was not applied
    expect(sim.device('r1').history()[0]!.confirmPending).toBe(true);
    sim.advance(60_000);
    expect(sim.device('r1').committedText()).toContain('host-name r1;');
    expect(sim.device('r1').history()[0]!.log).toBe('commit confirmed rollback');
    await admin('DELETE', '/faults/r1');
  });

  it('GET /links gives each link\'s record with its down and fallback time', async () => {
    const links = await admin('GET', '/links');
    expect(links.status).toBe(200);
    expect(links.json.L).toMatchObject({ id: 'L', state: 'secured', downMs: 0, fallbackMs: 0, downIntervals: [], fallbackIntervals: [] });
    expect(JSON.stringify(links.json)).not.toMatch(new RegExp(`${CAK}|${FB_CAK}`));
  });

  it('refuses a port already in use, naming the option', async () => {
    const port = Number(new URL(sim.adminUrl!).port);
    await expect(startSimJunos({ admin: { port }, devices: { r1: {} } })).rejects.toThrow(/^admin: cannot start the admin endpoint: .*EADDRINUSE/);
  });

  it('refuses a non-loopback address, naming the option', async () => {
    await expect(startSimJunos({ admin: { host: '0.0.0.0' }, devices: { r1: {} } })).rejects.toThrow(SimConfigError);
    await expect(startSimJunos({ admin: { host: '192.0.2.1' }, devices: { r1: {} } })).rejects.toThrow(/admin\.host: the admin endpoint listens on loopback only/);
  });
});
