// `security authentication-key-chains` as Juniper's 24.4R1 YANG has it: grouping
// `security-authentication-key-chains` of junos-conf-security (identical in the four families).
import { container, enumLeaf, list, str, uint, type Schema } from './schema-types.js';
import { cknLeaf } from './schema-macsec.js';

const KEY_ALGORITHMS = ['md5', 'hmac-sha-1', 'ao', 'sha-1', 'hmac-sha2-224', 'hmac-sha2-256', 'hmac-sha2-384', 'hmac-sha2-512'] as const;
const KEY_OPTIONS = ['basic', 'isis-enhanced'] as const;

const key = list(
  {
    secret: str(1, 126, { secret: true }),
    'key-name': cknLeaf,
    'start-time': { kind: 'leaf' },
    algorithm: enumLeaf(KEY_ALGORITHMS),
    fallback: enumLeaf(['hmac-sha-1', 'sha-1']),
    options: enumLeaf(KEY_OPTIONS),
    'ao-attribute': container({
      'send-id': uint(0, 255),
      'recv-id': uint(0, 255),
      'tcp-ao-option': enumLeaf(['enabled', 'disabled']),
      'cryptographic-algorithm': enumLeaf(['hmac-sha-1-96', 'aes-128-cmac-96']),
    }),
  },
  // key/name: uint32 0..63
  { range: [0, 63] },
);

export const KEY_CHAINS: Schema = container({
  'key-chain': list(
    {
      description: str(1, 80),
      tolerance: uint(0, 4294967295),
      key,
    },
    // key-chain/name: posix-pattern "!^((__.*__)|(.*[ ].*)|(.{33,}))$"
    { pattern: { test: (v) => !/^((__.*__)|(.*[ ].*)|(.{33,}))$/.test(v), message: 'Must be string of 32 characters or less with no spaces' } },
  ),
});
