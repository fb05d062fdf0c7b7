// The SSH side: an ssh2 Server per listening port, password and public-key authentication, the
// device picked per port or by login name, and the `netconf` and `sftp` subsystems.
import { poolSshPadding, releaseHandshakeLeftovers, sha256Fingerprint } from '@qkd-macsec/junos-netconf';
import type { Socket } from 'node:net';
import ssh2, { type Connection, type AuthContext } from 'ssh2';
import type { Clock } from './clock.js';
import { passwordMatches, type SimDevice } from './device.js';
import type { LinkModel } from './link-model.js';
import { runNetconfSession } from './netconf-session.js';
import { serveSftp } from './sftp.js';

const { Server, utils } = ssh2;

export interface HostKey {
  /** OpenSSH/PEM private key, kept in memory only. */
  privateKey: string;
  /** OpenSSH public key line. */
  publicKey: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/** A host key the simulator cannot use (not junos-netconf's HostKeyError, which refuses a server's key). */
export class InvalidHostKeyError extends Error {
  override name = 'InvalidHostKeyError';
}

export function fingerprintOf(publicKey: string | Buffer): string {
  const parsed = utils.parseKey(publicKey);
  if (parsed instanceof Error) throw new InvalidHostKeyError(`cannot parse host key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  return sha256Fingerprint(key.getPublicSSH());
}

/** A given private key (its public half derived), or a fresh Ed25519 key. */
export function loadHostKey(privateKey?: string): HostKey {
  if (privateKey === undefined) {
    // ssh2 1.17 drops a leading zero byte of an Ed25519 public key (about 1 key in 256), which
    // yields a key nobody can parse; draw again until both halves parse.
    for (;;) {
      const pair = utils.generateKeyPairSync('ed25519');
      if (!(utils.parseKey(pair.public) instanceof Error) && !(utils.parseKey(pair.private) instanceof Error))
        return { privateKey: pair.private, publicKey: pair.public, fingerprint: fingerprintOf(pair.public) };
    }
  }
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new InvalidHostKeyError(`cannot parse the configured host key: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key.isPrivateKey()) throw new InvalidHostKeyError('the configured host key is a public key; a private key is needed');
  const publicKey = `${key.type} ${key.getPublicSSH().toString('base64')}`;
  return { privateKey, publicKey, fingerprint: fingerprintOf(publicKey) };
}

export interface SshEndpointOptions {
  host: string;
  port: number;
  hostKey: HostKey;
  /** Login name → device and the user name the device knows; undefined refuses the login. */
  route(login: string): { device: SimDevice; user: string } | undefined;
  clock: Clock;
  links: LinkModel;
}

export interface SshEndpoint {
  port: number;
  close(): Promise<void>;
}

function authenticate(ctx: AuthContext, device: SimDevice, user: string): void {
  const methods: Array<'password' | 'publickey'> = ['password', 'publickey'];
  if (device.faults.authFailure || user !== device.username) return ctx.reject(methods);
  if (ctx.method === 'password') return passwordMatches(device.password, ctx.password) ? ctx.accept() : ctx.reject(methods);
  if (ctx.method === 'publickey') {
    for (const line of device.authorizedKeys) {
      const parsed = utils.parseKey(line);
      const key = parsed instanceof Error ? undefined : Array.isArray(parsed) ? parsed[0] : parsed;
      if (!key || key.type !== ctx.key.algo || !key.getPublicSSH().equals(ctx.key.data)) continue;
      if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client asks whether this key would do
      return key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? ctx.accept() : ctx.reject(methods);
    }
  }
  ctx.reject(methods);
}

/** Drops the TCP connection at once (no SSH disconnect message), as a crashing router would. */
function destroy(client: Connection): void {
  const sock = (client as unknown as { _sock?: Socket })._sock;
  if (sock) sock.destroy();
  else client.end();
}

export function startSshEndpoint(opts: SshEndpointOptions): Promise<SshEndpoint> {
  poolSshPadding(); // each reply's SSH padding from a pool of random bytes, as the client's (junos-netconf README, "SSH padding from a pool")
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [opts.hostKey.privateKey], ident: 'OpenSSH_8.6 sim-junos' }, (client) => {
    clients.add(client);
    // ssh2 never sets TCP_NODELAY; without it Nagle + the client's delayed ACK add ~40 ms to
    // each handshake round.
    (client as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true); // ssh2 1.17 has it; @types/ssh2 omits it on Connection
    let target: { device: SimDevice; user: string } | undefined;
    const drop = () => destroy(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => clients.delete(client));
    // After each key exchange: the key pair and pool slices ssh2 would keep (junos-netconf README, "Memory per kept session").
    client.on('handshake', () => releaseHandshakeLeftovers(client));
    client.on('authentication', (ctx) => {
      target = opts.route(ctx.username);
      if (!target) return ctx.reject(['password', 'publickey']);
      authenticate(ctx, target.device, target.user);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        const startNetconf = (stream: ssh2.ServerChannel) => {
          if (!target) return stream.close();
          const sessionRef = target.device.newSession(target.user);
          runNetconfSession(stream, { device: target.device, session: sessionRef, clock: opts.clock, links: opts.links, dropConnection: drop });
        };
        session.on('subsystem', (accept, reject, info) => {
          if (info.name === 'netconf') startNetconf(accept());
          else reject();
        });
        session.on('sftp', (accept, reject) => {
          if (target) serveSftp(accept(), target.device.files, `/var/home/${target.user}`);
          else reject();
        });
        // `ssh host netconf` and Junos' `xml-mode netconf need-trailer` run NETCONF over exec too.
        session.on('exec', (accept, reject, info) => {
          if (/^(netconf|xml-mode netconf( need-trailer)?)$/.test(info.command.trim())) startNetconf(accept());
          else reject();
        });
      });
    });
  });
  server.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : opts.port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) destroy(c);
            server.close(() => done());
          }),
      });
    });
  });
}
