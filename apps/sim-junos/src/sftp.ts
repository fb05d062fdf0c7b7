// The SFTP subsystem: an in-memory file system per device (event scripts, certificates), served
// through ssh2's SFTP server side.
import { posix } from 'node:path';
import ssh2, { type SFTPWrapper, type Attributes } from 'ssh2';

const { OPEN_MODE, STATUS_CODE } = ssh2.utils.sftp;

export interface MemoryFs {
  files: Map<string, { data: Buffer; mtime: number }>;
  dirs: Set<string>;
  readFile(path: string): Buffer | undefined;
  writeFile(path: string, data: Buffer | string): void;
}

/** Largest file the in-memory file system takes. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

const DEFAULT_DIRS = ['/', '/var', '/var/tmp', '/var/home', '/var/db', '/var/db/scripts', '/var/db/scripts/event', '/var/db/scripts/op', '/config'];

export function createMemoryFs(homeDirs: string[] = []): MemoryFs {
  const dirs = new Set([...DEFAULT_DIRS, ...homeDirs]);
  const files = new Map<string, { data: Buffer; mtime: number }>();
  return {
    files,
    dirs,
    readFile: (p) => files.get(posix.normalize(p))?.data,
    writeFile(p, data) {
      const path = posix.normalize(p);
      if (!dirs.has(posix.dirname(path))) throw new Error(`no such directory: ${posix.dirname(path)}`);
      files.set(path, { data: Buffer.from(data), mtime: Date.now() });
    },
  };
}

interface OpenFile {
  kind: 'file';
  path: string;
  flags: number;
}
interface OpenDir {
  kind: 'dir';
  path: string;
  listed: boolean;
}

const fileAttrs = (size: number, mtime: number): Attributes => ({ mode: 0o100644, uid: 0, gid: 0, size, atime: mtime / 1000, mtime: mtime / 1000 });
const dirAttrs = (): Attributes => ({ mode: 0o040755, uid: 0, gid: 0, size: 512, atime: 0, mtime: 0 });

// Over 80 lines: one handler per SFTP request type, each short, over the open-handle table
// this closure holds.
export function serveSftp(sftp: SFTPWrapper, fs: MemoryFs, home: string): void {
  const handles = new Map<number, OpenFile | OpenDir>();
  let nextHandle = 1;
  const resolve = (p: string) => posix.resolve(home, p || '.');
  const newHandle = (h: OpenFile | OpenDir) => {
    const id = nextHandle++;
    handles.set(id, h);
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(id);
    return buf;
  };
  const getHandle = (buf: Buffer) => (buf.length === 4 ? handles.get(buf.readUInt32BE(0)) : undefined);
  const statOf = (path: string): Attributes | undefined => {
    if (fs.dirs.has(path)) return dirAttrs();
    const f = fs.files.get(path);
    return f ? fileAttrs(f.data.length, f.mtime) : undefined;
  };

  sftp.on('REALPATH', (id, p) => {
    const path = resolve(p);
    sftp.name(id, [{ filename: path, longname: path, attrs: statOf(path) ?? dirAttrs() }]);
  });
  const stat = (id: number, p: string) => {
    const a = statOf(resolve(p));
    if (a) sftp.attrs(id, a);
    else sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
  };
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('FSTAT', (id, handle) => {
    const h = getHandle(handle);
    const a = h && statOf(h.path);
    if (a) sftp.attrs(id, a);
    else sftp.status(id, STATUS_CODE.FAILURE);
  });
  sftp.on('SETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
  sftp.on('FSETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
  sftp.on('OPEN', (id, p, flags) => {
    const path = resolve(p);
    if (fs.dirs.has(path)) return sftp.status(id, STATUS_CODE.FAILURE, 'is a directory');
    const exists = fs.files.has(path);
    if (!exists && !(flags & OPEN_MODE.CREAT)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    if (exists && flags & OPEN_MODE.EXCL && flags & OPEN_MODE.CREAT) return sftp.status(id, STATUS_CODE.FAILURE, 'file exists');
    if (!fs.dirs.has(posix.dirname(path))) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE, 'no such directory');
    if (!exists || flags & OPEN_MODE.TRUNC) fs.files.set(path, { data: Buffer.alloc(0), mtime: Date.now() });
    sftp.handle(id, newHandle({ kind: 'file', path, flags }));
  });
  sftp.on('READ', (id, handle, offset, length) => {
    const h = getHandle(handle);
    const f = h?.kind === 'file' ? fs.files.get(h.path) : undefined;
    if (!f) return sftp.status(id, STATUS_CODE.FAILURE);
    if (offset >= f.data.length) return sftp.status(id, STATUS_CODE.EOF);
    sftp.data(id, f.data.subarray(offset, Math.min(f.data.length, offset + length)));
  });
  sftp.on('WRITE', (id, handle, offset, data) => {
    const h = getHandle(handle);
    const f = h?.kind === 'file' ? fs.files.get(h.path) : undefined;
    if (!h || !f) return sftp.status(id, STATUS_CODE.FAILURE);
    const at = (h as OpenFile).flags & OPEN_MODE.APPEND ? f.data.length : offset;
    // A client-chosen offset must not make the simulator allocate without bound.
    if (at + data.length > MAX_FILE_BYTES) return sftp.status(id, STATUS_CODE.FAILURE, `file larger than ${MAX_FILE_BYTES} bytes`);
    const next = Buffer.alloc(Math.max(f.data.length, at + data.length));
    f.data.copy(next);
    data.copy(next, at);
    fs.files.set(h.path, { data: next, mtime: Date.now() });
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('CLOSE', (id, handle) => {
    const ok = handle.length === 4 && handles.delete(handle.readUInt32BE(0));
    sftp.status(id, ok ? STATUS_CODE.OK : STATUS_CODE.FAILURE);
  });
  sftp.on('OPENDIR', (id, p) => {
    const path = resolve(p);
    if (!fs.dirs.has(path)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    sftp.handle(id, newHandle({ kind: 'dir', path, listed: false }));
  });
  sftp.on('READDIR', (id, handle) => {
    const h = getHandle(handle);
    if (h?.kind !== 'dir') return sftp.status(id, STATUS_CODE.FAILURE);
    if (h.listed) return sftp.status(id, STATUS_CODE.EOF);
    h.listed = true;
    const entries = [
      ...[...fs.dirs].filter((d) => d !== h.path && posix.dirname(d) === h.path).map((d) => ({ filename: posix.basename(d), attrs: dirAttrs() })),
      ...[...fs.files].filter(([f]) => posix.dirname(f) === h.path).map(([f, v]) => ({ filename: posix.basename(f), attrs: fileAttrs(v.data.length, v.mtime) })),
    ];
    if (entries.length === 0) return sftp.status(id, STATUS_CODE.EOF);
    sftp.name(id, entries.map((e) => ({ ...e, longname: `${e.attrs.mode & 0o040000 ? 'd' : '-'}rw-r--r-- 1 root wheel ${e.attrs.size} ${e.filename}` })));
  });
  sftp.on('REMOVE', (id, p) => sftp.status(id, fs.files.delete(resolve(p)) ? STATUS_CODE.OK : STATUS_CODE.NO_SUCH_FILE));
  sftp.on('RENAME', (id, from, to) => {
    const f = fs.files.get(resolve(from));
    if (!f) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    if (!fs.dirs.has(posix.dirname(resolve(to)))) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    fs.files.delete(resolve(from));
    fs.files.set(resolve(to), f);
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('MKDIR', (id, p) => {
    const path = resolve(p);
    if (fs.dirs.has(path) || fs.files.has(path)) return sftp.status(id, STATUS_CODE.FAILURE, 'exists');
    if (!fs.dirs.has(posix.dirname(path))) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    fs.dirs.add(path);
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('RMDIR', (id, p) => {
    const path = resolve(p);
    const busy = [...fs.dirs].some((d) => d !== path && d.startsWith(path + '/')) || [...fs.files.keys()].some((f) => f.startsWith(path + '/'));
    if (!fs.dirs.has(path)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    if (busy) return sftp.status(id, STATUS_CODE.FAILURE, 'directory not empty');
    fs.dirs.delete(path);
    sftp.status(id, STATUS_CODE.OK);
  });
}
