// The @qkd-macsec/junos-netconf client against sim-junos over real SSH: standard operations,
// Junos RPCs through rpc(), both framings, pipelining, errors and warnings, host keys, timeouts,
// a connection dropped mid-RPC, and hostile replies.
import {
  BASE_1_0,
  ConnectionClosedError,
  HostKeyError,
  NetconfTimeoutError,
  RpcFailedError,
  connectNetconf,
  type NetconfClient,
  type NetconfClientOptions,
} from '@qkd-macsec/junos-netconf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimJunos, type SimJunos } from '../index.js';

const CAK = 'cd'.repeat(32);
let sim: SimJunos;
const open: NetconfClient[] = [];

beforeAll(async () => {
  sim = await startSimJunos({
    clock: 'manual',
    devices: { r1: { config: 'set system host-name r1' }, r2: { netconf11: true }, r3: {} },
    links: [],
  });
});
afterEach(async () => {
  for (const d of Object.keys(sim.devices)) sim.setFaults(d, {});
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(() => sim.close());

const options = (name: string, extra: Partial<NetconfClientOptions> = {}): NetconfClientOptions => {
  const d = sim.devices[name]!;
  return { host: d.host, port: d.port, username: d.username, password: d.password, hostKeyFingerprints: [d.hostKeyFingerprint], ...extra };
};
async function connect(name: string, extra: Partial<NetconfClientOptions> = {}): Promise<NetconfClient> {
  const c = await connectNetconf(options(name, extra));
  open.push(c);
  return c;
}

describe('session', () => {
  it('negotiates ]]>]]> with a base:1.0 device and chunked framing with an rfc-compliant one', async () => {
    const r1 = await connect('r1');
    expect(r1.session.framing).toBe('eom');
    expect(r1.session.sessionId).toBeGreaterThan(0);
    expect(r1.hostKeyFingerprint).toBe(sim.devices.r1!.hostKeyFingerprint);
    const r2 = await connect('r2');
    expect(r2.session.framing).toBe('chunked');
    const r2old = await connect('r2', { capabilities: [BASE_1_0] });
    expect(r2old.session.framing).toBe('eom');
    for (const c of [r1, r2, r2old]) expect((await c.rpc('<get-software-information/>')).raw).toContain('<software-information>');
  });

  it('carries many pipelined RPCs on one session, each answered to its caller', async () => {
    for (const name of ['r1', 'r2']) {
      const c = await connect(name);
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => c.rpc(i % 2 ? '<get-software-information/>' : '<get-chassis-inventory/>')));
      replies.forEach((r, i) => expect(r.raw).toContain(i % 2 ? '<software-information>' : '<chassis-inventory>'));
    }
  });

  it('refuses a device whose host key is not the pinned one', async () => {
    const err = await connectNetconf(options('r1', { hostKeyFingerprints: [sim.devices.r2!.hostKeyFingerprint] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyError);
  });
});

describe('standard operations', () => {
  it('lock, edit-config, validate, commit, get-config, unlock', async () => {
    const c = await connect('r3');
    expect((await c.lock('candidate')).ok).toBe(true);
    const edit = await c.editConfig({ target: 'candidate', config: '<configuration><system><host-name>edge</host-name></system></configuration>' });
    expect(edit.ok).toBe(true);
    expect((await c.validate('candidate')).ok).toBe(true);
    expect((await c.commit()).ok).toBe(true);
    const running = await c.getConfig('running', { subtree: '<configuration><system/></configuration>' });
    expect(running.raw).toContain('<host-name>edge</host-name>');
    expect((await c.unlock('candidate')).ok).toBe(true);
    const state = await c.get({ subtree: '<configuration><system><host-name/></system></configuration>' });
    expect(state.raw).toContain('<host-name>edge</host-name>');
  });

  it('commit confirmed then cancel-commit restores the previous configuration; discard-changes drops edits', async () => {
    const c = await connect('r3');
    await c.editConfig({ target: 'candidate', config: '<configuration><system><host-name>trial</host-name></system></configuration>' });
    await c.commit({ confirmed: true, confirmTimeoutSeconds: 120 });
    expect(sim.device('r3').committedText()).toContain('host-name trial;');
    await c.cancelCommit();
    expect(sim.device('r3').committedText()).not.toContain('host-name trial;');
    await c.editConfig({ target: 'candidate', config: '<configuration><system><host-name>scratch</host-name></system></configuration>' });
    await c.discardChanges();
    expect((await c.getConfig('candidate')).raw).not.toContain('scratch');
  });

  it('kill-session ends another session and frees its lock', async () => {
    const holder = await connect('r3');
    const other = await connect('r3');
    await holder.lock('candidate');
    const denied = await other.lock('candidate').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(RpcFailedError);
    expect((denied as RpcFailedError).errors[0]?.tag).toBe('lock-denied');
    const closed = new Promise<Error | undefined>((r) => holder.onClose(r));
    await other.killSession(holder.session.sessionId!);
    await closed;
    expect((await other.lock('candidate')).ok).toBe(true);
    await other.unlock('candidate');
  });

  it('uploads and downloads files over SFTP on the same connection', async () => {
    const c = await connect('r3');
    await c.upload({ remotePath: '/var/tmp/qkd.py', content: 'print(1)\n' });
    expect((await c.download('/var/tmp/qkd.py'))?.toString()).toBe('print(1)\n');
    await expect(c.download('/var/tmp/missing')).rejects.toThrow(/SFTP download/);
  });
});

describe('Junos RPCs through rpc()', () => {
  it('loads set commands, reports warnings without failing, and diffs', async () => {
    const c = await connect('r3');
    const load = await c.rpc(
      '<load-configuration action="set" format="text"><configuration-set>set system static-host-mapping kme1 inet 10.0.0.1\ndelete system ntp</configuration-set></load-configuration>',
    );
    expect(load.failed).toBe(false);
    expect(load.warnings.map((w) => w.message)).toEqual(['statement not found: system ntp']);
    const diff = await c.rpc('<get-configuration compare="rollback" rollback="0" format="text"/>');
    expect(diff.raw).toContain('[edit system static-host-mapping kme1]');
    await c.rpc('<discard-changes/>');
  });

  it('rejects bad configuration with an RpcFailedError carrying path and bad element, never the CAK', async () => {
    const c = await connect('r3');
    const ca = 'set security macsec connectivity-association CA';
    // an odd-length CKN breaks its YANG pattern: refused at load, as Junos does
    const load = (set: string) => c.rpc(`<load-configuration action="set"><configuration-set>${set}</configuration-set></load-configuration>`);
    const loadErr = await load(`${ca} security-mode static-cak\n${ca} pre-shared-key ckn 0a1 cak ${CAK.slice(0, 32)}`).catch((e: unknown) => e);
    expect(loadErr).toBeInstanceOf(RpcFailedError);
    expect((loadErr as RpcFailedError).errors.map((e) => [e.path, e.badElement])).toEqual([['[edit security macsec connectivity-association CA pre-shared-key]', 'ckn']]);
    expect((loadErr as Error).message).not.toContain(CAK.slice(0, 32));
    // a 128-bit CAK under a 256-bit suite loads, and commit refuses it
    await load(`${ca} security-mode static-cak\n${ca} cipher-suite gcm-aes-256\n${ca} pre-shared-key ckn 0a1b cak ${CAK.slice(0, 32)}`);
    const err = await c.rpc('<commit-configuration/>').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcFailedError);
    const errors = (err as RpcFailedError).errors;
    expect(errors.map((e) => [e.path, e.badElement])).toEqual([['[edit security macsec connectivity-association CA pre-shared-key]', 'cak']]);
    expect((err as Error).message).not.toContain(CAK.slice(0, 32));
    await c.rpc('<discard-changes/>');
    const unknown = await c.rpc('<get-frobnication/>').catch((e: unknown) => e);
    expect((unknown as RpcFailedError).errors[0]?.tag).toBe('operation-not-supported');
  });
});

describe('failures the client must survive', () => {
  it('times out an RPC the device answers too slowly, and the session stays usable', async () => {
    sim.setFaults('r3', { commitLatencyMs: 1_500 });
    const c = await connect('r3');
    await expect(c.rpc('<commit-configuration><check/></commit-configuration>', { timeoutMs: 100 })).rejects.toBeInstanceOf(NetconfTimeoutError);
    // the late reply to the abandoned RPC must not be taken for the next one
    expect((await c.rpc('<get-software-information/>')).raw).toContain('<software-information>');
  });

  it('times out a hello that never comes in time', async () => {
    sim.setFaults('r3', { helloDelayMs: 2_000 });
    await expect(connect('r3', { helloTimeoutMs: 200 })).rejects.toThrow(/hello/i);
  });

  it('fails pending RPCs with ConnectionClosedError when the connection drops mid-RPC', async () => {
    sim.setFaults('r3', { dropAfterRpcs: 1 });
    const c = await connect('r3');
    await c.rpc('<get-software-information/>');
    await expect(c.rpc('<get-software-information/>')).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('refuses a commit that the device fails, with its message', async () => {
    sim.setFaults('r3', { commitFailure: true });
    const c = await connect('r3');
    await expect(c.rpc('<commit-configuration/>')).rejects.toThrow(/statements constraint check failed/);
  });

  it.each(['malformed', 'entity-expansion', 'oversized', 'broken-framing'] as const)('ends cleanly on a hostile %s reply', async (kind) => {
    const c = await connect('r3', { maxMessageBytes: 1024 * 1024 });
    sim.setFaults('r3', { hostileReply: kind, hostileReplyBytes: 2 * 1024 * 1024 });
    const err = await c.rpc('<get-software-information/>', { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(NetconfTimeoutError);
  });
});
