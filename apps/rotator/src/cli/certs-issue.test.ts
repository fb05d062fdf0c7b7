// `certs ca` and `certs issue agent|coordinator`: real certificates from cert-lcm, proven in a
// node:tls mutual-TLS handshake between the agent's server certificate and the coordinator's
// client certificate, with the printed pin compared to what the client actually sees.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { capturedIo } from './testing/capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rotator-certs-issue-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capturedIo();
  const code = await runCli(args, { io });
  return { code, out: io.out(), err: io.err() };
}

const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const mode = (name: string) => statSync(join(dir, name)).mode & 0o777;

interface Handshake {
  clientAuthorized: boolean;
  clientError?: string;
  serverAuthorized?: boolean;
  serverSawCn?: string;
  serverPin?: string;
  /** Why the server refused the client during the handshake. */
  serverRefused?: string;
}

/** One TLS handshake: the agent's server certificate vs the coordinator's client certificate. */
async function handshake(server: { cert: string; key: string; ca: string }, client: { cert: string; key: string; ca: string }, servername: string): Promise<Handshake> {
  const seen: { authorized?: boolean; cn?: string; refused?: string } = {};
  const tlsServer = createServer({ cert: server.cert, key: server.key, ca: server.ca, requestCert: true, rejectUnauthorized: true }, (socket: TLSSocket) => {
    seen.authorized = socket.authorized;
    const cn = socket.getPeerCertificate().subject?.CN;
    if (typeof cn === 'string') seen.cn = cn;
    socket.end('hello');
  });
  tlsServer.on('tlsClientError', (err) => {
    seen.refused = err.message;
  });
  await new Promise<void>((ok) => tlsServer.listen(0, '127.0.0.1', ok));
  const port = (tlsServer.address() as { port: number }).port;
  try {
    return await new Promise<Handshake>((ok) => {
      // Under TLS 1.3 the client may see secureConnect before the server refuses its certificate:
      // the answer is whether data came back, decided when the socket closes.
      const result: Handshake = { clientAuthorized: false };
      const socket = connect({ host: '127.0.0.1', port, servername, cert: client.cert, key: client.key, ca: client.ca });
      socket.once('secureConnect', () => {
        result.serverPin = `sha256:${createHash('sha256').update(socket.getPeerCertificate().raw).digest('hex')}`;
      });
      socket.once('data', () => {
        result.clientAuthorized = socket.authorized;
        if (seen.authorized !== undefined) result.serverAuthorized = seen.authorized;
        if (seen.cn !== undefined) result.serverSawCn = seen.cn;
        socket.end();
      });
      socket.once('error', (err) => {
        result.clientError = err.message;
      });
      socket.once('close', () => setImmediate(() => ok(seen.refused !== undefined ? { ...result, serverRefused: seen.refused } : result)));
    });
  } finally {
    await new Promise<void>((ok) => tlsServer.close(() => ok()));
  }
}

describe('certs ca and certs issue', () => {
  it('an agent and a coordinator certificate from a local CA complete a mutual-TLS handshake; the printed pin is the one the coordinator sees', async () => {
    const ca = await cli(['certs', 'ca', '--out', dir]);
    expect(ca.code).toBe(0);
    expect(ca.out).toContain(`certificates: { localCa: { cert: ${join(dir, 'ca.pem')}, key: ${join(dir, 'ca-key.pem')} } }`);
    expect(mode('ca-key.pem')).toBe(0o600);

    const agent = await cli(['certs', 'issue', 'agent', 'dc1', '--host', 'localhost', '--host', '127.0.0.1', '--out', dir, '--ca-cert', join(dir, 'ca.pem'), '--ca-key', join(dir, 'ca-key.pem')]);
    expect(agent.code).toBe(0);
    expect(agent.out).toMatch(new RegExp(`^agent dc1: ${join(dir, 'agent-dc1.pem')} \\(CN=agent-dc1, DNS:localhost, IP:127\\.0\\.0\\.1, server, valid until `));
    const pin = /pin (sha256:[0-9a-f]{64})\n/.exec(agent.out)?.[1];
    expect(pin).toBeDefined();
    expect(agent.out).toContain(`sites.dc1.agent.fingerprint: "${pin}"`);
    expect(mode('agent-dc1-key.pem')).toBe(0o600);
    expect(agent.out + agent.err).not.toContain('PRIVATE KEY');

    // The coordinator's certificate from the config's certificates.localCa (the config need not be complete yet).
    const config = join(dir, 'qkd.yaml');
    writeFileSync(config, 'sites: { dc1: { agent: { url: "https://localhost:8443", ca: ./not-yet.pem, cert: ./not-yet.pem, key: ./not-yet.pem } } }\ncertificates: { localCa: { cert: ./ca.pem, key: ./ca-key.pem } }\n');
    const coordinator = await cli(['-c', config, 'certs', 'issue', 'coordinator', '--out', dir]);
    expect(coordinator.code).toBe(0);
    expect(coordinator.out).toMatch(/^coordinator: .*coordinator\.pem \(CN=coordinator, client, valid until /);
    expect(coordinator.out).toContain('coordinator: { name: coordinator }');
    expect(mode('coordinator-key.pem')).toBe(0o600);

    const result = await handshake(
      { cert: read('agent-dc1.pem'), key: read('agent-dc1-key.pem'), ca: read('ca.pem') },
      { cert: read('coordinator.pem'), key: read('coordinator-key.pem'), ca: read('ca.pem') },
      'localhost',
    );
    expect(result).toEqual({ clientAuthorized: true, serverAuthorized: true, serverSawCn: 'coordinator', serverPin: pin });
  });

  it('a coordinator certificate from another CA is refused by the agent; a host the certificate does not name fails verification', async () => {
    await cli(['certs', 'ca', '--out', join(dir, 'a')]);
    await cli(['certs', 'ca', '--out', join(dir, 'b'), '--cn', 'other CA']);
    const signer = (x: string) => ['--ca-cert', join(dir, x, 'ca.pem'), '--ca-key', join(dir, x, 'ca-key.pem')];
    expect((await cli(['certs', 'issue', 'agent', 'dc1', '--host', 'localhost', '--out', dir, ...signer('a')])).code).toBe(0);
    expect((await cli(['certs', 'issue', 'coordinator', '--out', join(dir, 'b'), ...signer('b')])).code).toBe(0);
    const agent = { cert: read('agent-dc1.pem'), key: read('agent-dc1-key.pem'), ca: read('a/ca.pem') };
    const forged = await handshake(agent, { cert: read('b/coordinator.pem'), key: read('b/coordinator-key.pem'), ca: read('a/ca.pem') }, 'localhost');
    expect(forged.serverSawCn).toBeUndefined();
    expect(forged.clientAuthorized).toBe(false);
    // The server's handler never ran: no data came back, and the server reports the failed handshake.
    expect(forged.serverAuthorized).toBeUndefined();
    expect(forged.serverRefused).toBeDefined();

    expect((await cli(['certs', 'issue', 'coordinator', '--out', dir, ...signer('a')])).code).toBe(0);
    const wrongHost = await handshake(agent, { cert: read('coordinator.pem'), key: read('coordinator-key.pem'), ca: read('a/ca.pem') }, 'agent-dc9.example.net');
    expect(wrongHost.clientAuthorized).toBe(false);
    expect(wrongHost.clientError).toMatch(/agent-dc9\.example\.net|altnames/i);
  });

  it('usage errors: no CA, no host for an agent, a site for the coordinator, a bad host, an existing key (without --force)', async () => {
    const noCa = await cli(['-c', join(dir, 'none.yaml'), 'certs', 'issue', 'coordinator', '--out', dir]);
    expect(noCa.code).toBe(2);
    expect(noCa.err).toContain('no --ca-cert/--ca-key, and the config cannot give certificates.localCa: cannot read');
    writeFileSync(join(dir, 'plain.yaml'), 'links: []\n');
    expect((await cli(['-c', join(dir, 'plain.yaml'), 'certs', 'issue', 'coordinator', '--out', dir])).err).toContain('make one with `qkd-macsec certs ca --out DIR`');
    await cli(['certs', 'ca', '--out', dir]);
    const signer = ['--ca-cert', join(dir, 'ca.pem'), '--ca-key', join(dir, 'ca-key.pem')];
    expect((await cli(['certs', 'issue', 'agent', 'dc1', '--out', dir, ...signer])).err).toContain('must name the host(s)');
    expect((await cli(['certs', 'issue', 'agent', '--host', 'x', '--out', dir, ...signer])).err).toContain('name the site');
    expect((await cli(['certs', 'issue', 'coordinator', 'dc1', '--out', dir, ...signer])).err).toContain('takes no site');
    expect((await cli(['certs', 'issue', 'agent', 'dc1', '--host', 'bad_host', '--out', dir, ...signer])).err).toContain('--host: host "bad_host"');
    expect((await cli(['certs', 'issue', 'router', '--out', dir])).code).toBe(2);
    expect((await cli(['certs', 'issue', 'coordinator', '--out', dir, '--ca-cert', join(dir, 'ca.pem')])).err).toContain('--ca-cert and --ca-key go together');
    const again = await cli(['certs', 'ca', '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${join(dir, 'ca.pem')} exists; not overwriting it (--force replaces it)`);
    const before = read('ca-key.pem');
    expect((await cli(['certs', 'ca', '--out', dir, '--force'])).code).toBe(0);
    expect(read('ca-key.pem')).not.toBe(before);
    const badCa = await cli(['certs', 'issue', 'coordinator', '--out', join(dir, 'x'), '--ca-cert', join(dir, 'ca.pem'), '--ca-key', join(dir, 'missing.pem')]);
    expect(badCa.code).toBe(2);
    expect(badCa.err).toMatch(/cannot be used: .*missing\.pem/);
  });
});
