// Starts a real NETCONF server that nobody here wrote — Debian's `netconfd` (yuma123) — behind
// OpenSSH's `netconf` subsystem, for interop tests. Everything lives in one temp dir (keys,
// sshd_config, the netconfd socket, YUMA_HOME and the startup file) and stop() removes it.
//
// How the pieces connect: the client speaks SSH to `sshd` on 127.0.0.1:PORT; sshd runs
// `netconf-subsystem`, which picks the unix socket configured for PORT (`PORT@path`) and
// forwards the stream to `netconfd` listening there. netconfd itself only accepts sessions
// whose SSH port is one of its `--port` values, so it must be told PORT too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { generateEd25519 } from '../../testing/ssh-keys.js';

/** The daemons the harness runs; absent binaries make the interop suite skip (or fail in CI). */
interface NetconfdBinaries {
  netconfd: string;
  netconfSubsystem: string;
  sshd: string;
}

export interface NetconfdServer {
  host: string;
  port: number;
  username: string;
  /** OpenSSH-format private key authorised for `username`. Secret: never log it. */
  privateKey: string;
  /** The server's host public key as an OpenSSH line (`ssh-ed25519 AAAA...`). */
  hostPublicKey: string;
  /** `SHA256:<base64, unpadded>` of the host key blob, as `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
  /** The temp dir holding keys, config, socket and startup file; removed by stop(). */
  workDir: string;
  /** The YANG namespace of the fixture module that tests may edit. */
  fixtureNamespace: string;
  /**
   * Resolves once netconfd has taken the hello of session `sessionId` (its log says the session
   * is "now active"). Call it before a session's first RPC: netconfd holds an RPC that reaches it
   * in the same read as the client's hello until more input comes (`netconfd-harness.test.ts`
   * pins this), and on a loaded machine netconf-subsystem can deliver the two in one read — the
   * RPC then waits for a reply that never comes.
   */
  sessionActive(sessionId: number | undefined, timeoutMs?: number): Promise<void>;
  /** Everything the two daemons wrote so far (for diagnosing a failing test). */
  logs(): string;
  /** Kills both daemons and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartNetconfdOptions {
  /** YANG modules to load, by module name → source; defaults to the `qkd-interop` fixture. */
  yangModules?: Record<string, string>;
  /** How long to wait for each daemon to come up. */
  startTimeoutMs?: number;
}

/** The harness could not start or find the daemons; carries what they printed. */
export class NetconfdHarnessError extends Error {
  override readonly name = 'NetconfdHarnessError';
  constructor(
    message: string,
    readonly daemon: 'sshd' | 'netconfd' | 'harness',
    readonly output: string,
  ) {
    super(output ? `${message}\n--- ${daemon} output ---\n${output.trimEnd()}` : message);
  }
}

const FIXTURE_NAMESPACE = 'urn:qkd-macsec:interop';

// A small module shaped like the config the project manages, so tests edit something keyed.
const FIXTURE_MODULE = `module qkd-interop {
  yang-version 1.1;
  namespace "${FIXTURE_NAMESPACE}";
  prefix qi;
  description "Fixture for the junos-netconf interop tests.";
  revision 2026-11-24 { description "Initial revision."; }
  container macsec {
    list connectivity-association {
      key name;
      leaf name { type string; }
      leaf ckn { type string; }
      leaf cipher-suite { type string; }
    }
  }
}
`;

const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin', '/usr/bin', '/usr/local/bin'];

/** $PATH plus the sbin directories a non-root $PATH often lacks. */
function defaultSearchDirs(): string[] {
  return [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
}

function findExecutable(name: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Locates the three daemons, or lists which are missing. */
function findNetconfdBinaries(
  searchDirs: string[] = defaultSearchDirs(),
): { found: NetconfdBinaries } | { missing: string[] } {
  const netconfd = findExecutable('netconfd', searchDirs);
  const netconfSubsystem = findExecutable('netconf-subsystem', searchDirs);
  // sshd refuses to run unless started by absolute path, which findExecutable returns.
  const sshd = findExecutable('sshd', searchDirs);
  if (netconfd && netconfSubsystem && sshd) return { found: { netconfd, netconfSubsystem, sshd } };
  const missing = Object.entries({ netconfd, 'netconf-subsystem': netconfSubsystem, sshd })
    .filter(([, path]) => path === undefined)
    .map(([name]) => name);
  return { missing };
}

/**
 * Decides whether the interop suites run: true means skip. Missing daemons skip them with a
 * loud warning on a developer machine, but throw under CI=true, where .ci/run installs them —
 * so CI can never pass by silently skipping the real-server tests.
 */
export function skipInteropSuite(
  context: { env?: NodeJS.ProcessEnv; searchDirs?: string[]; warn?: (message: string) => void } = {},
): boolean {
  const env = context.env ?? process.env;
  const lookup = findNetconfdBinaries(context.searchDirs);
  if ('found' in lookup) return false;
  const message =
    `netconfd interop tests need ${lookup.missing.join(', ')} ` +
    '(Debian: apt-get install netconfd openssh-server)';
  if (env['CI'] === 'true' || env['CI'] === '1') {
    throw new NetconfdHarnessError(`${message}; CI must install them (.ci/run APT_PACKAGES)`, 'harness', '');
  }
  (context.warn ?? console.warn)(`\n!!! SKIPPING the netconfd interop tests: ${message} !!!\n`);
  return true;
}

/** An ephemeral port that was free a moment ago (sshd cannot listen on port 0 and report it). */
async function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/**
 * OpenSSH SHA256 fingerprint of a public key blob. Computed here rather than with the package's
 * sha256Fingerprint, so the interop tests check the package against an independent value.
 */
export function fingerprintOfKeyBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function fingerprintOf(publicKeyLine: string): string {
  return fingerprintOfKeyBlob(Buffer.from(publicKeyLine.split(' ')[1] ?? '', 'base64'));
}

/** A fresh, whole ed25519 pair in OpenSSH format (public key as one trimmed line). */
export function generateEd25519Key(): { privateKey: string; publicKey: string } {
  const pair = generateEd25519();
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

interface Daemon {
  child: ChildProcess;
  output: () => string;
  /** Set once the process has exited, or failed to spawn at all. */
  status: () => number | string | undefined;
  exited: Promise<number | string>;
}

const OUTPUT_LIMIT = 64 * 1024;

function startDaemon(file: string, args: string[], env?: NodeJS.ProcessEnv): Daemon {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep the tail: that is where a daemon says why it stopped.
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let status: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => {
    const settle = (value: number | string) => resolve((status ??= value));
    // A spawn failure emits 'error' and never 'exit'.
    child.once('error', (err) => settle(`spawn error: ${err.message}`));
    child.once('exit', (code, signal) => settle(signal ?? code ?? 'unknown'));
  });
  return { child, output: () => output, status: () => status, exited };
}

/** The ids of the sessions netconfd has logged as "now active" (its hello taken). */
function watchActiveSessions(netconfd: Daemon): Set<number> {
  const active = new Set<number>();
  // netconfd starts each log line with its newline ("\nSession 1 for … now active (base:1.1)"), so
  // a line is whole when it is written, not when the next one begins: scan the unfinished line too.
  const watch = (stream: NodeJS.ReadableStream | null) => {
    let line = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (line + chunk.toString('utf8')).split('\n');
      line = lines.at(-1) ?? '';
      for (const text of lines) {
        const match = /^Session (\d+) for \S+ now active/.exec(text);
        if (match) active.add(Number(match[1]));
      }
    });
  };
  watch(netconfd.child.stdout);
  watch(netconfd.child.stderr);
  return active;
}

function alive(daemon: Daemon): boolean {
  return daemon.status() === undefined;
}

async function stopDaemon(daemon: Daemon): Promise<void> {
  if (!alive(daemon)) return;
  daemon.child.kill('SIGTERM');
  const timer = setTimeout(() => daemon.child.kill('SIGKILL'), 3_000);
  await daemon.exited;
  clearTimeout(timer);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `ready` until it holds, the daemon exits, or the deadline passes. */
async function waitFor(
  daemon: Daemon,
  name: 'sshd' | 'netconfd',
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (!alive(daemon)) {
      const status = await daemon.exited;
      throw new NetconfdHarnessError(`${name} exited (${status}) while waiting for it to ${what}`, name, daemon.output());
    }
    if (Date.now() > deadline) {
      throw new NetconfdHarnessError(`${name} did not ${what} within ${timeoutMs} ms`, name, daemon.output());
    }
    await sleep(25);
  }
}

function sshdConfig(dir: string, port: number, subsystem: string, socketPath: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'ssh_host_ed25519_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    // The temp dir's owner and modes are not what sshd expects of a home directory.
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'LogLevel INFO',
    // The subsystem maps the SSH port the client reached to the netconfd socket for it.
    `Subsystem netconf ${subsystem} --ncxserver-sockname=${port}@${socketPath}`,
    // OpenSSH's own SFTP server, for the client's upload/download.
    'Subsystem sftp internal-sftp',
    '',
  ].join('\n');
}

function removeIfEmpty(path: string): void {
  try {
    rmdirSync(path); // refuses a non-empty directory, which then is not ours to remove
  } catch {
    // absent, not empty, or another harness's netconfd just recreated it
  }
}

async function ensurePrivsepDir(): Promise<void> {
  // sshd running as root wants its privilege-separation directory; Debian creates it at boot
  // (systemd tmpfiles), which a container never ran.
  if (process.getuid?.() !== 0 || existsSync('/run/sshd')) return;
  mkdirSync('/run/sshd', { mode: 0o755, recursive: true });
}

async function startSshd(
  binaries: NetconfdBinaries,
  dir: string,
  socketPath: string,
  timeoutMs: number,
): Promise<{ daemon: Daemon; port: number }> {
  const configPath = join(dir, 'sshd_config');
  // The port was free when picked, but someone may take it before sshd binds: retry then.
  for (let attempt = 1; ; attempt++) {
    const port = await pickFreePort();
    await writeFile(configPath, sshdConfig(dir, port, binaries.netconfSubsystem, socketPath));
    const daemon = startDaemon(binaries.sshd, ['-D', '-e', '-f', configPath]);
    try {
      await waitFor(
        daemon,
        'sshd',
        // sshd prints this once it has bound and is listening, i.e. accepts connections.
        () => daemon.output().includes(`Server listening on 127.0.0.1 port ${port}.`),
        timeoutMs,
        `listen on 127.0.0.1:${port}`,
      );
      return { daemon, port };
    } catch (err) {
      await stopDaemon(daemon);
      if (attempt < 3 && /Address already in use/.test(daemon.output())) continue;
      throw err;
    }
  }
}

/**
 * For an afterEach hook: when the test just failed, print what sshd and netconfd said, so a
 * failure on a CI machine can be diagnosed from its log alone. (No key material is in there.)
 */
export function dumpDaemonLogsOnFailure(server: NetconfdServer | undefined, task: { name: string; result?: { state?: string } }): void {
  if (server && task.result?.state === 'fail') console.error(`sshd and netconfd output around "${task.name}":\n${server.logs()}`);
}

// Daemons still running when the test process exits abruptly are killed here, so a crashed or
// interrupted test run leaves no sshd/netconfd behind.
const running = new Set<() => void>();
let exitHookInstalled = false;
function onProcessExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    process.once('exit', () => running.forEach((fn) => fn()));
    exitHookInstalled = true;
  }
  running.add(cleanup);
  return () => running.delete(cleanup);
}

/**
 * Starts netconfd (target=candidate, no startup config, the fixture module loaded) and an
 * sshd in front of it on a fresh 127.0.0.1 port, with fresh host and client keys.
 */
// Over 80 lines: the two daemons' start in order, each step's failure cleaning up what the
// earlier ones started.
export async function startNetconfd(options: StartNetconfdOptions = {}): Promise<NetconfdServer> {
  const lookup = findNetconfdBinaries();
  if ('missing' in lookup) {
    throw new NetconfdHarnessError(
      `missing ${lookup.missing.join(', ')}: install the Debian packages netconfd and openssh-server`,
      'harness',
      '',
    );
  }
  const binaries = lookup.found;
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const { username, homedir } = userInfo();
  // netconfd creates ~/.yuma (from the passwd entry, before reading any option); everything it
  // writes goes to the temp dir, so an empty ~/.yuma that was not there before is removed again.
  const yumaDir = join(homedir, '.yuma');
  const yumaDirExisted = existsSync(yumaDir);
  const modules = options.yangModules ?? { 'qkd-interop': FIXTURE_MODULE };

  const dir = await mkdtemp(join(tmpdir(), 'netconfd-'));
  const socketPath = join(dir, 'ncxserver.sock');
  const daemons: Daemon[] = [];
  const killNow = () => {
    for (const d of daemons) if (alive(d)) d.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    if (!yumaDirExisted) removeIfEmpty(yumaDir);
  };
  const forget = onProcessExit(killNow);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // netconfd first: that ends each netconf-subsystem, so sshd's session processes close too.
      for (const d of [...daemons].reverse()) await stopDaemon(d);
      rmSync(dir, { recursive: true, force: true });
      if (!yumaDirExisted) removeIfEmpty(yumaDir);
      forget();
    })());

  try {
    const hostKey = generateEd25519Key();
    const clientKey = generateEd25519Key();
    await writeFile(join(dir, 'ssh_host_ed25519_key'), hostKey.privateKey, { mode: 0o600 });
    await writeFile(join(dir, 'authorized_keys'), `${clientKey.publicKey}\n`, { mode: 0o600 });
    for (const [name, source] of Object.entries(modules)) {
      await writeFile(join(dir, `${name}.yang`), source);
    }
    // An empty startup file in the temp dir: commits save the running config there instead of
    // in the user's ~/.yuma. The transaction-id file goes to $YUMA_HOME/data (else ~/.yuma,
    // found through the passwd entry, not $HOME), so YUMA_HOME points into the temp dir too.
    const startupPath = join(dir, 'startup-cfg.xml');
    await writeFile(startupPath, '<config xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"/>\n');
    await mkdir(join(dir, 'data'));
    await ensurePrivsepDir();

    const sshd = await startSshd(binaries, dir, socketPath, timeoutMs);
    daemons.push(sshd.daemon);

    const netconfd = startDaemon(
      binaries.netconfd,
      [
        `--ncxserver-sockname=${socketPath}`,
        `--port=${sshd.port}`,
        '--target=candidate',
        `--startup=${startupPath}`,
        `--superuser=${username}`,
        `--modpath=${dir}`,
        ...Object.keys(modules).map((name) => `--module=${name}`),
        '--log-level=info',
      ],
      { ...process.env, HOME: dir, YUMA_HOME: dir },
    );
    daemons.push(netconfd);
    const active = watchActiveSessions(netconfd);
    await waitFor(
      netconfd,
      'netconfd',
      () => /Running netconfd server/.test(netconfd.output()) && existsSync(socketPath),
      timeoutMs,
      `open its socket ${socketPath}`,
    );

    return {
      host: '127.0.0.1',
      port: sshd.port,
      username,
      privateKey: clientKey.privateKey,
      hostPublicKey: hostKey.publicKey,
      hostKeyFingerprint: fingerprintOf(hostKey.publicKey),
      workDir: dir,
      fixtureNamespace: FIXTURE_NAMESPACE,
      sessionActive: async (sessionId, activeTimeoutMs = 10_000) => {
        if (sessionId === undefined) throw new NetconfdHarnessError('sessionActive() needs the session-id of the server hello', 'harness', '');
        await waitFor(netconfd, 'netconfd', () => active.has(sessionId), activeTimeoutMs, `take the hello of session ${sessionId}`);
      },
      logs: () => daemons.map((d, i) => `--- ${i === 0 ? 'sshd' : 'netconfd'} ---\n${d.output()}`).join('\n'),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
