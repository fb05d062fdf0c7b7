// Test-time SSH key generation, shared by the scripted test server and the netconfd harness.
// Imports nothing of the package, so the interop harness stays independent of the code it checks.
import ssh2 from 'ssh2';

const ED25519_BLOB_BYTES = 4 + 'ssh-ed25519'.length + 4 + 32;

/**
 * A fresh ed25519 pair in OpenSSH format. ssh2 1.17's generateKeyPairSync now and then (about
 * 1 key in 250) drops a leading zero byte of the public key, giving a key neither sshd nor ssh2
 * can use, so draw again until both halves parse and the public key has its full length.
 */
export function generateEd25519(opts?: { passphrase: string; cipher: string; rounds: number }): { private: string; public: string } {
  for (;;) {
    const pair = opts ? ssh2.utils.generateKeyPairSync('ed25519', opts) : ssh2.utils.generateKeyPairSync('ed25519');
    const whole =
      Buffer.from(pair.public.split(' ')[1] ?? '', 'base64').length === ED25519_BLOB_BYTES &&
      !(ssh2.utils.parseKey(pair.public) instanceof Error) &&
      !(ssh2.utils.parseKey(pair.private, opts?.passphrase) instanceof Error);
    if (whole) return pair;
  }
}
