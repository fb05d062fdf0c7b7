// What the hostileReply fault sends instead of a real answer, to see how clients cope.
import type { Framing } from '@qkd-macsec/junos-netconf/framing';
import type { Faults } from './faults.js';

export type HostileKind = NonNullable<Faults['hostileReply']>;

/** A whole reply, already framed when `framed` is true (broken framing cannot go through the codec). */
export function hostileReply(kind: HostileKind, attrs: string, framing: Framing, oversizedBytes = 4 * 1024 * 1024): { framed: true; bytes: Buffer } | { framed: false; xml: string } {
  switch (kind) {
    case 'broken-framing':
      // chunked: a chunk header that is not a number; ]]>]]>: bytes that are not UTF-8
      return {
        framed: true,
        bytes:
          framing === 'chunked'
            ? Buffer.from('\n#abc\n<rpc-reply/>\n##\n')
            : Buffer.concat([Buffer.from(`<rpc-reply${attrs}>`), Buffer.from([0xff, 0xfe]), Buffer.from('</rpc-reply>]]>]]>')]),
      };
    case 'malformed':
      return { framed: false, xml: `<rpc-reply${attrs}><ok></rpc-reply>` };
    case 'entity-expansion':
      return {
        framed: false,
        xml: `<?xml version="1.0"?><!DOCTYPE rpc-reply [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rpc-reply${attrs}><output>&c;</output></rpc-reply>`,
      };
    case 'oversized':
      return { framed: false, xml: `<rpc-reply${attrs}><output>${'x'.repeat(oversizedBytes)}</output></rpc-reply>` };
  }
}
