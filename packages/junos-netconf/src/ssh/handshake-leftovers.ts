// What ssh2 keeps of a finished handshake for the life of the connection, and need not: at 4,000
// kept sessions 16–20 MiB of a client's RSS (`bench:memory`; README, "Memory per kept session").
//
// - The key exchange's ephemeral X25519 key pair (`Curve25519Exchange._keys`: two KeyObjects,
//   ≈ 3.6 KiB of OpenSSL memory each pair). ssh2 keeps the exchange for its session ID and the
//   negotiated algorithms; a rekey builds a new exchange with a new pair. Dropping the private
//   half once the session keys are derived is also what forward secrecy asks of it.
// - Small slices of Node's 8 KiB Buffer pool slabs, each keeping a whole slab alive: the peer's
//   identification line (`Protocol._remoteIdentRaw`, needed again by a rekey's exchange hash) and
//   the AES-GCM decipher's 16-byte tag buffer. Sessions set up together share slabs, so 4,000
//   sessions pinned ≈ 1,400 of them (≈ 11 MiB). Each becomes a copy of its own, same bytes.
//
// These are ssh2's private fields (1.x): each is changed only when it is there and has the shape
// expected; otherwise it is left alone and not reported (the test names every field, so an ssh2
// that renames one fails it).

interface Ssh2Internals {
  _protocol?: {
    _remoteIdentRaw?: unknown;
    _kex?: { _keys?: unknown };
    _decipher?: { _tag?: unknown };
  };
}

/** A slice that keeps a larger buffer alive. */
function isPinning(b: unknown): b is Buffer {
  return Buffer.isBuffer(b) && b.byteLength < b.buffer.byteLength;
}

function ownCopy(b: Buffer): Buffer {
  const copy = Buffer.allocUnsafeSlow(b.byteLength);
  b.copy(copy);
  return copy;
}

/**
 * Drops the handshake's key pair and re-homes the pool slices ssh2 keeps, on an ssh2 Client or a
 * server's Connection after each key exchange (its 'handshake' event). Returns the fields it
 * changed.
 */
export function releaseHandshakeLeftovers(client: object): string[] {
  const p = (client as Ssh2Internals)._protocol;
  if (!p) return [];
  const released: string[] = [];
  const keys = p._kex?._keys as { privateKey?: unknown } | null | undefined;
  if (p._kex && keys && typeof keys === 'object' && 'privateKey' in keys) {
    p._kex._keys = null;
    released.push('kex key pair');
  }
  if (isPinning(p._remoteIdentRaw)) {
    p._remoteIdentRaw = ownCopy(p._remoteIdentRaw);
    released.push('remote ident');
  }
  const decipher = p._decipher;
  if (decipher && isPinning(decipher._tag)) {
    decipher._tag = ownCopy(decipher._tag); // the bytes too: a tag may be half read
    released.push('decipher tag');
  }
  return released;
}
