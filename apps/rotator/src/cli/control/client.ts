// The CLI's side of the control endpoint: find the daemon that holds the state directory and ask
// it. Node's http/https (not fetch) so that a client certificate can be presented.
import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { RotatorConfig } from '../../config/index.js';
import type { WaitInfo } from '../../engine/types.js';
import type { CycleReport, ProgressEvent } from '../engine.js';
import type { StatusView } from '../status-view.js';
import { readControlRecord, type ControlRecord } from './record.js';
import type { RotateRequest } from './server.js';

export interface Daemon {
  record: ControlRecord;
  tls?: { ca: string; cert: string; key: string };
}

/** The daemon to go through: `QKD_MACSEC_DAEMON` (a URL) if set, else the record in the state directory. */
export async function findDaemon(config: RotatorConfig, env: Record<string, string | undefined>): Promise<Daemon | undefined> {
  const override = env.QKD_MACSEC_DAEMON;
  const record: ControlRecord | undefined =
    override !== undefined && override !== '' ? { url: override, pid: 0, host: new URL(override).hostname, since: '' } : await readControlRecord(config.stateDir);
  if (record === undefined) return undefined;
  const t = config.control.tls;
  if (!record.url.startsWith('https:') || t === undefined) return { record };
  const [ca, cert, key] = await Promise.all([readFile(t.caFile, 'utf8'), readFile(t.clientCertFile, 'utf8'), readFile(t.clientKeyFile, 'utf8')]);
  return { record, tls: { ca, cert, key } };
}

export class DaemonError extends Error {
  override name = 'DaemonError';
}

/** Sends the request; resolves with the response as soon as its head arrives. */
function call(daemon: Daemon, method: string, path: string, body: unknown): Promise<IncomingMessage> {
  const url = new URL(path, daemon.record.url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json, application/x-ndjson' };
  if (daemon.record.token !== undefined) headers.authorization = `Bearer ${daemon.record.token}`;
  if (text !== undefined) headers['content-type'] = 'application/json';
  return new Promise<IncomingMessage>((resolve, reject) => {
    const options = { method, headers, ...(daemon.tls ? { ca: daemon.tls.ca, cert: daemon.tls.cert, key: daemon.tls.key } : {}) };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, resolve);
    req.on('error', (err: NodeJS.ErrnoException) => reject(new DaemonError(`cannot reach the daemon${daemon.record.pid ? ` (pid ${daemon.record.pid})` : ''} at ${daemon.record.url}: ${err.code ?? err.message}`)));
    req.end(text);
  });
}

async function bodyOf(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function refused(daemon: Daemon, status: number, text: string): DaemonError {
  let message = text.trim();
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? message;
  } catch {
    // not JSON: the text as it came
  }
  return new DaemonError(`the daemon at ${daemon.record.url} answered ${status}: ${message}`);
}

export async function daemonStatus(daemon: Daemon, links: readonly string[]): Promise<StatusView> {
  const query = links.length > 0 ? `?${links.map((l) => `link=${encodeURIComponent(l)}`).join('&')}` : '';
  const res = await call(daemon, 'GET', `/v1/status${query}`, undefined);
  const text = await bodyOf(res);
  if (res.statusCode !== 200) throw refused(daemon, res.statusCode ?? 0, text);
  return JSON.parse(text) as StatusView;
}

/** Asks the daemon for a rotation; progress, queue notes and the start-time wait as they come, then the report. */
export async function daemonRotate(
  daemon: Daemon,
  request: RotateRequest,
  onProgress: (e: ProgressEvent) => void,
  onQueued: (message: string) => void,
  onWait: (w: WaitInfo) => void = () => undefined,
): Promise<CycleReport> {
  const res = await call(daemon, 'POST', '/v1/rotate', request);
  if (res.statusCode !== 200) throw refused(daemon, res.statusCode ?? 0, await bodyOf(res));
  let report: CycleReport | undefined;
  let error: string | undefined;
  const take = (line: string) => {
    if (line.trim() === '') return;
    let msg: { progress?: ProgressEvent; queued?: string; wait?: WaitInfo; report?: CycleReport; error?: string };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      error ??= `the daemon sent a line that is not JSON (${line.length} characters)`;
      return;
    }
    if (msg.progress) onProgress(msg.progress);
    if (msg.queued !== undefined) onQueued(msg.queued);
    if (msg.wait) onWait(msg.wait);
    if (msg.report) report = msg.report;
    if (msg.error !== undefined) error = msg.error;
  };
  let buffered = '';
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      buffered += chunk.toString('utf8');
      let n: number;
      while ((n = buffered.indexOf('\n')) >= 0) {
        take(buffered.slice(0, n));
        buffered = buffered.slice(n + 1);
      }
    }
  } catch (err) {
    // Node says only "aborted" when the daemon's connection drops mid-response.
    throw new DaemonError(`${gone(daemon)} stopped answering during the rotation (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ${AFTER_A_DEAD_DAEMON}`);
  }
  take(buffered);
  if (error !== undefined) throw new DaemonError(`the daemon's rotation failed: ${error}`);
  if (report === undefined) throw new DaemonError(`${gone(daemon)} closed the connection before its report; ${AFTER_A_DEAD_DAEMON}`);
  return report;
}

const gone = (daemon: Daemon) => `the daemon at ${daemon.record.url}${daemon.record.pid ? ` (pid ${daemon.record.pid})` : ''}`;
const AFTER_A_DEAD_DAEMON =
  'a transaction it left part-way is resolved when it starts again (systemd restarts it) or by the next local run; `qkd-macsec status` shows what is unresolved';
