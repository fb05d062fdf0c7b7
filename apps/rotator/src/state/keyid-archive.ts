// The older part of the key_ID history, on disk: rotator-keyids.idx, the key_IDs of the log up to
// some byte as sorted 128-bit records (keyid-set.ts), so the duplicate check needs no memory per
// key_ID beyond the last compaction. A lookup reads one 4 KiB block, found through the first
// record of every block (1/256 of a record in memory per key_ID: ~1 MiB for 17 million). The
// file is derived from the log and never trusted beyond it: its header names the log bytes it
// covers and a hash of the 4 KiB before that point, and of its own records; a file that is
// missing, torn, damaged, out of order or does not match the log is rebuilt from the log (the
// store reads it from where the archive ends). Opening reads it whole once (~1 s a GiB).
// A compaction writes a new file beside it, fsyncs and renames it over: a kill at any point
// leaves the old file or the new one, each matching the log.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDir } from './sync-dir.js';
import { compareRecords, WORDS } from './keyid-set.js';

const MAGIC = 'QKDKIDX1';
const HEADER_BYTES = 64; // magic 8 | count 8 | log bytes 8 | log tail SHA-256 32 | records' SHA-256, first 8 bytes
const RECORD_BYTES = WORDS * 4;
const BLOCK_RECORDS = 256; // one 4 KiB read per lookup
const TAIL_BYTES = 4096;
const IO_RECORDS = 65_536; // 1 MiB a read or write while merging

/** SHA-256 of the log's last TAIL_BYTES before `logBytes`: a cheap check that the log is the one the archive was built from. */
function logTailHash(logFile: string, logBytes: number): Buffer {
  const from = Math.max(0, logBytes - TAIL_BYTES);
  const buf = Buffer.alloc(logBytes - from);
  if (buf.length > 0) {
    const fd = openSync(logFile, 'r');
    try {
      if (readSync(fd, buf, 0, buf.length, from) !== buf.length) throw new Error(`key_ID log ${logFile} is shorter than ${logBytes} bytes`);
    } finally {
      closeSync(fd);
    }
  }
  return createHash('sha256').update(buf).digest();
}

function readWords(buf: Buffer, records: number, into = new Uint32Array(records * WORDS)): Uint32Array {
  for (let i = 0; i < records * WORDS; i++) into[i] = buf.readUInt32BE(4 * i);
  return into;
}

/** Unsigned order of the record at index `i` of `buf` (big-endian words) and `r`. */
function compareInBuffer(buf: Buffer, i: number, r: Uint32Array): number {
  for (let w = 0; w < WORDS; w++) {
    const x = buf.readUInt32BE((i * WORDS + w) * 4);
    if (x !== r[w]) return x < r[w]! ? -1 : 1;
  }
  return 0;
}

// A state object read earlier may still be looking key_IDs up in an archive a later read or merge
// replaced, so an archive's descriptor is closed only once nothing can reach the archive.
const descriptors = new FinalizationRegistry<number>((fd) => closeSync(fd));

export class KeyIdArchive {
  readonly #fd: number | undefined;
  /** The first record of every block, WORDS words each. */
  readonly #firsts: Uint32Array;
  readonly #block = Buffer.alloc(BLOCK_RECORDS * RECORD_BYTES);

  private constructor(
    readonly file: string,
    fd: number | undefined,
    /** Records in the file. */
    readonly count: number,
    /** The log bytes whose key_IDs the file holds: the log is read from here on. */
    readonly logBytes: number,
    firsts: Uint32Array,
  ) {
    this.#fd = fd;
    this.#firsts = firsts;
    if (fd !== undefined) descriptors.register(this, fd);
  }

  /** No archive yet: the whole log is recent. */
  static none(file: string): KeyIdArchive {
    return new KeyIdArchive(file, undefined, 0, 0, new Uint32Array(0));
  }

  /** The archive at `file` if it is whole and matches the log; otherwise none (the log is read whole). */
  static open(file: string, logFile: string): KeyIdArchive {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return KeyIdArchive.none(file);
      throw e;
    }
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      const got = readSync(fd, header, 0, HEADER_BYTES, 0);
      const count = Number(header.readBigUInt64BE(8));
      const logBytes = Number(header.readBigUInt64BE(16));
      const whole = got === HEADER_BYTES && header.toString('latin1', 0, 8) === MAGIC && fstatSync(fd).size === HEADER_BYTES + count * RECORD_BYTES;
      let matches = false;
      try {
        matches = whole && logTailHash(logFile, logBytes).equals(header.subarray(24, 56));
      } catch {
        matches = false; // the log is shorter than the archive says: not the log it was built from
      }
      if (!matches) {
        closeSync(fd);
        return KeyIdArchive.none(file);
      }
      // Whole, in order and as written: read once, a chunk at a time, keeping each block's first record.
      const firsts = new Uint32Array(Math.ceil(count / BLOCK_RECORDS) * WORDS);
      const hash = createHash('sha256');
      const buf = Buffer.alloc(IO_RECORDS * RECORD_BYTES);
      const prev = Buffer.alloc(RECORD_BYTES); // the last record of the chunk before
      let ordered = true;
      for (let done = 0; done < count && ordered; ) {
        const n = Math.min(IO_RECORDS, count - done);
        readSync(fd, buf, 0, n * RECORD_BYTES, HEADER_BYTES + done * RECORD_BYTES);
        hash.update(buf.subarray(0, n * RECORD_BYTES));
        for (let i = 0, at = 0; i < n; i++, at += RECORD_BYTES) {
          if (done + i > 0) {
            // Strictly ascending: the first words decide almost always; memcmp when they are equal.
            const [p, pAt] = i === 0 ? [prev, 0] : [buf, at - RECORD_BYTES];
            const [a, b] = [p.readUInt32BE(pAt), buf.readUInt32BE(at)];
            if (a > b || (a === b && p.compare(buf, at, at + RECORD_BYTES, pAt, pAt + RECORD_BYTES) >= 0)) {
              ordered = false;
              break;
            }
          }
          if ((done + i) % BLOCK_RECORDS === 0) readWords(buf.subarray(at, at + RECORD_BYTES), 1, firsts.subarray(((done + i) / BLOCK_RECORDS) * WORDS));
        }
        buf.copy(prev, 0, (n - 1) * RECORD_BYTES, n * RECORD_BYTES);
        done += n;
      }
      if (!ordered || !hash.digest().subarray(0, 8).equals(header.subarray(56, 64))) {
        closeSync(fd);
        return KeyIdArchive.none(file);
      }
      return new KeyIdArchive(file, fd, count, logBytes, firsts);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  has(r: Uint32Array): boolean {
    if (this.#fd === undefined || this.count === 0) return false;
    // The last block whose first record is <= r.
    let lo = 0;
    let hi = this.#firsts.length / WORDS - 1;
    if (compareRecords(this.#firsts, 0, r, 0) > 0) return false;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compareRecords(this.#firsts, mid * WORDS, r, 0) <= 0) lo = mid;
      else hi = mid - 1;
    }
    const records = Math.min(BLOCK_RECORDS, this.count - lo * BLOCK_RECORDS);
    readSync(this.#fd, this.#block, 0, records * RECORD_BYTES, HEADER_BYTES + lo * BLOCK_RECORDS * RECORD_BYTES);
    for (let a = 0, b = records - 1; a <= b; ) {
      const mid = (a + b) >> 1;
      const c = compareInBuffer(this.#block, mid, r);
      if (c === 0) return true;
      if (c < 0) a = mid + 1;
      else b = mid - 1;
    }
    return false;
  }

  /**
   * A new archive: this one's records and `recent` (sorted, WORDS words each) merged, covering the
   * log up to `logBytes`. Written beside this one, fsynced and renamed over it; this one stays
   * right for what it covers (its descriptor holds the file it read).
   */
  async merge(recent: Uint32Array, logFile: string, logBytes: number): Promise<KeyIdArchive> {
    const tmp = `${this.file}.tmp`;
    const out = await open(tmp, 'w', 0o600);
    let count = 0;
    const firsts = new Uint32Array(Math.ceil((this.count + recent.length / WORDS) / BLOCK_RECORDS) * WORDS);
    try {
      const outBuf = Buffer.alloc(IO_RECORDS * RECORD_BYTES);
      let outRecords = 0;
      let written = HEADER_BYTES;
      const last = new Uint32Array(WORDS);
      const hash = createHash('sha256');
      const flush = async () => {
        hash.update(outBuf.subarray(0, outRecords * RECORD_BYTES));
        await out.write(outBuf, 0, outRecords * RECORD_BYTES, written);
        written += outRecords * RECORD_BYTES;
        outRecords = 0;
      };
      /** Puts the record in the output buffer; true when the buffer is full (flush it). */
      const put = (src: Uint32Array, at: number): boolean => {
        if (count > 0 && compareRecords(last, 0, src, at) === 0) return false; // in both: once
        for (let w = 0; w < WORDS; w++) outBuf.writeUInt32BE(src[at + w]!, (outRecords * WORDS + w) * 4);
        last.set(src.subarray(at, at + WORDS));
        if (count % BLOCK_RECORDS === 0) firsts.set(last, (count / BLOCK_RECORDS) * WORDS);
        count++;
        return ++outRecords === IO_RECORDS;
      };
      // This archive's records, a chunk at a time, merged with the recent ones.
      const inBuf = Buffer.alloc(IO_RECORDS * RECORD_BYTES);
      let r = 0;
      for (let done = 0; done < this.count; ) {
        const n = Math.min(IO_RECORDS, this.count - done);
        readSync(this.#fd!, inBuf, 0, n * RECORD_BYTES, HEADER_BYTES + done * RECORD_BYTES);
        const old = readWords(inBuf, n);
        for (let i = 0; i < n * WORDS; i += WORDS) {
          for (; r < recent.length && compareRecords(recent, r, old, i) < 0; r += WORDS) if (put(recent, r)) await flush();
          if (put(old, i)) await flush();
        }
        done += n;
      }
      for (; r < recent.length; r += WORDS) if (put(recent, r)) await flush();
      await flush();
      const header = Buffer.alloc(HEADER_BYTES);
      header.write(MAGIC, 0, 'latin1');
      header.writeBigUInt64BE(BigInt(count), 8);
      header.writeBigUInt64BE(BigInt(logBytes), 16);
      logTailHash(logFile, logBytes).copy(header, 24);
      hash.digest().copy(header, 56, 0, 8);
      await out.write(header, 0, HEADER_BYTES, 0);
      await out.sync();
    } catch (e) {
      await out.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await out.close();
    // Opened before the rename: the descriptor is this file, whatever may be renamed over the path later.
    const fd = openSync(tmp, 'r');
    try {
      await rename(tmp, this.file);
      syncDir(dirname(this.file));
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new KeyIdArchive(this.file, fd, count, logBytes, firsts.slice(0, Math.ceil(count / BLOCK_RECORDS) * WORDS));
  }
}
