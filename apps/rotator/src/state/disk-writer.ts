// The state's writes, on a thread of their own. A write is a short series of file operations — an
// append to the key_ID log, whole-file replacements (temp file, fsync, rename, fsync of the
// directory) — that must run in order and be durable before the caller goes on (a journal write
// gates the stages, a decision the confirms). On the main thread they blocked the event loop for
// their syscalls: at 2,000 links ~50 writes a cycle spent ~0.3 s there (fsyncs, renames), the
// time thousands of sessions' replies waited. As a chain of awaited fs calls they cost an
// event-loop turn each behind those replies (0.3–0.7 s a write). Here the whole series runs
// synchronously on one worker thread, and the caller waits one message for it. That is why this
// is not cert-lcm's writeFileAtomic (which writes the lock holder and the control records, fsyncing
// file and directory the same way) nor write-file-atomic (whose README documents an fsync of the
// file, none of its directory): both are a file at a time of awaited calls on the main thread.
//
// The worker is plain JavaScript in a string (evaluated, not a file): it then needs nothing from
// a bundler or a TypeScript loader, wherever this module ends up. It is started on the first
// write, shared by every store in the process, and keeps the process alive only while a write is
// under way.
import { Worker } from 'node:worker_threads';

export type DiskOp =
  /** Appends whole lines at byte `at` of `file` (cutting off a torn line a killed writer left beyond it) and fsyncs; mode 0600. */
  | { kind: 'append'; file: string; at: number; bytes: Uint8Array }
  /** Replaces `file` atomically: temp file (mode 0600), fsync, rename, fsync of the directory. */
  | { kind: 'replace'; file: string; bytes: Uint8Array };

/** Per op: an append's new end and whether it created the file; null for a replace. */
export type DiskOpResult = { validBytes: number; created: boolean } | null;

/** An op failed: the ones before it are done and durable, the ones after it were not tried. */
export class DiskWriteError extends Error {
  override name = 'DiskWriteError';
  constructor(
    message: string,
    readonly op: DiskOp,
    readonly code?: string,
  ) {
    super(message);
  }
}

const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, O_RDONLY } = fs.constants;

// writeSync may write less than asked (a signal can cut it short).
function writeAll(fd, bytes) {
  for (let off = 0; off < bytes.length; ) off += fs.writeSync(fd, bytes, off, bytes.length - off);
}

function syncDir(dir) {
  const fd = fs.openSync(dir, O_RDONLY);
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

function replace(file, bytes) {
  const tmp = path.join(path.dirname(file), path.basename(file) + '.' + process.pid + '.tmp');
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o600);
  try {
    writeAll(fd, bytes);
    fs.fchmodSync(fd, 0o600); // in case a umask or an older temp file got in the way
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(path.dirname(file)); // the rename is durable only once the directory entry is
  return null;
}

function append(file, at, bytes) {
  let created = false;
  let fd;
  try {
    fd = fs.openSync(file, O_WRONLY | O_APPEND);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT, 0o600);
    created = true;
  }
  try {
    const { size } = fs.fstatSync(fd);
    if (size < at) throw new Error(file + ' shrank to ' + size + ' bytes since it was read (' + at + '): another writer?');
    if (size > at) fs.ftruncateSync(fd, at);
    writeAll(fd, bytes);
    if (created) fs.fchmodSync(fd, 0o600);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (created) syncDir(path.dirname(file)); // the new file's entry durable before anything that relies on it
  return { validBytes: at + bytes.length, created };
}

// The bytes go back with the reply: freed by the main thread's frequent collections, not kept
// until this thread (which allocates next to nothing) collects — tens of MB at 2,000 links.
parentPort.on('message', ({ id, ops }) => {
  const results = [];
  let failed;
  for (const op of ops) {
    try {
      results.push(op.kind === 'append' ? append(op.file, op.at, op.bytes) : replace(op.file, op.bytes));
    } catch (e) {
      failed = { message: e.message, code: e.code };
      break;
    }
  }
  parentPort.postMessage({ id, results, failed }, [...new Set(ops.map((op) => op.bytes.buffer))]);
});
`;

interface Reply {
  id: number;
  results: DiskOpResult[];
  failed?: { message: string; code?: string };
}

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { ops: DiskOp[]; resolve(r: DiskOpResult[]): void; reject(e: Error): void }>();

function startWorker(): Worker {
  // Small limits: it holds one write's bytes at a time.
  const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 } });
  w.unref();
  w.on('message', (reply: Reply) => {
    const job = pending.get(reply.id);
    if (!job) return;
    pending.delete(reply.id);
    if (pending.size === 0) w.unref();
    if (reply.failed) job.reject(new DiskWriteError(reply.failed.message, job.ops[reply.results.length]!, reply.failed.code));
    else job.resolve(reply.results);
  });
  const stopped = (why: string) => {
    if (worker === w) worker = undefined;
    for (const [id, job] of pending) {
      pending.delete(id);
      job.reject(new Error(`the state writer thread stopped (${why}); nothing after the last completed write is known to be on disk`));
    }
  };
  w.on('error', (e) => stopped(e.message));
  w.on('exit', (code) => stopped(`exit code ${code}`));
  return w;
}

/**
 * Runs `ops` in order on the writer thread; resolves once all are durable, rejects with a
 * DiskWriteError at the first that fails. Each op's bytes are handed to the thread: the caller must
 * not use them afterwards.
 */
export function writeToDisk(ops: DiskOp[]): Promise<DiskOpResult[]> {
  const w = (worker ??= startWorker());
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { ops, resolve, reject });
    w.ref();
    // A buffer that owns its whole ArrayBuffer moves without a copy; a slice of a shared pool is copied.
    const transfer = ops.map((op) => op.bytes).filter((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength).map((b) => b.buffer as ArrayBuffer);
    w.postMessage({ id, ops }, [...new Set(transfer)]);
  });
}
