// The few Junos statements the simulator must understand structurally. Everything else is kept
// opaquely: the tree still stores it, guessing its shape from the words used (see config-tree.ts).
export type StatementKind = 'container' | 'list' | 'leaf' | 'leaf-list' | 'flag';

export interface Schema {
  kind: StatementKind;
  children?: Record<string, Schema>;
  /** Leaf whose value Junos shows only encrypted (`$9$…`). */
  secret?: boolean;
  /** Container whose entries belong to this implicit list; the list keyword is never typed
   *  in set or text form (top-level `interfaces ge-0/0/0 …` is `<interfaces><interface>`). */
  implicit?: string;
  /** List shown in text as `keyword { NAME { … } }` instead of `keyword NAME { … }`. */
  grouped?: boolean;
  /** `apply-macro NAME { key value; }`, stored as Junos XML does: data entries with a value. */
  macro?: boolean;
  /** Only the listed children exist: anything else is a syntax error, as on Junos (kept for the
   *  MACsec and key-chain hierarchies, where a typo must not pass as an opaque statement). */
  strict?: boolean;
  /** Container whose one unnamed value goes to this leaf (`traceoptions file NAME size 10m`). */
  positional?: string;
}

const leaf: Schema = { kind: 'leaf' };
const secretLeaf: Schema = { kind: 'leaf', secret: true };
const flag: Schema = { kind: 'flag' };
const leafList: Schema = { kind: 'leaf-list' };
const applyMacro: Schema = { kind: 'list', macro: true };
const traceoptions: Schema = {
  kind: 'container',
  children: {
    file: {
      kind: 'container',
      positional: 'filename',
      children: { filename: leaf, size: leaf, files: leaf, match: leaf, 'world-readable': flag, 'no-world-readable': flag },
    },
    flag: { kind: 'list' },
    level: leaf,
  },
};

const family: Schema = {
  kind: 'container',
  children: {
    inet: { kind: 'container', children: { address: { kind: 'list' } } },
    inet6: { kind: 'container', children: { address: { kind: 'list' } } },
  },
};

export const ROOT_SCHEMA: Schema = {
  kind: 'container',
  children: {
    security: {
      kind: 'container',
      children: {
        macsec: {
          kind: 'container',
          strict: true,
          children: {
            traceoptions,
            'cluster-control-port': { kind: 'list' },
            'cluster-data-port': { kind: 'list' },
            'connectivity-association': {
              kind: 'list',
              strict: true,
              children: {
                description: leaf,
                'no-encryption': flag,
                'security-mode': leaf,
                'cipher-suite': leaf,
                'pre-shared-key': { kind: 'container', strict: true, children: { ckn: leaf, cak: secretLeaf } },
                'pre-shared-key-chain': leaf,
                'fallback-key': { kind: 'container', strict: true, children: { ckn: leaf, cak: secretLeaf } },
                mka: {
                  kind: 'container',
                  children: {
                    'key-server-priority': leaf,
                    'transmit-interval': leaf,
                    'sak-rekey-interval': leaf,
                    'should-secure': flag,
                    'must-secure': flag,
                    'eapol-address': leaf,
                    'bounded-delay': flag,
                  },
                },
                'exclude-protocol': leafList,
                'include-sci': flag,
                'replay-protect': { kind: 'container', children: { 'replay-window-size': leaf } },
                offset: leaf,
              },
            },
            interfaces: {
              kind: 'list',
              grouped: true,
              children: { 'connectivity-association': leaf, 'apply-macro': applyMacro },
            },
          },
        },
        'authentication-key-chains': {
          kind: 'container',
          children: {
            'key-chain': {
              kind: 'list',
              strict: true,
              children: {
                description: leaf,
                tolerance: leaf,
                key: {
                  kind: 'list',
                  strict: true,
                  children: { 'key-name': leaf, secret: secretLeaf, 'start-time': leaf, algorithm: leaf, options: leaf },
                },
              },
            },
          },
        },
      },
    },
    'event-options': {
      kind: 'container',
      children: {
        'generate-event': { kind: 'list', grouped: true, children: { 'time-interval': leaf, 'time-of-day': leaf } },
        policy: {
          kind: 'list',
          children: {
            events: leafList,
            then: {
              kind: 'container',
              children: { 'event-script': { kind: 'list', children: { arguments: { kind: 'list' } } } },
            },
          },
        },
        'event-script': {
          kind: 'container',
          children: { file: { kind: 'list', children: { 'python-script-user': leaf, checksum: leaf } } },
        },
        traceoptions,
      },
    },
    system: {
      kind: 'container',
      children: {
        'host-name': leaf,
        'static-host-mapping': {
          kind: 'list',
          grouped: true,
          children: { inet: leafList, inet6: leafList, alias: leafList },
        },
        services: {
          kind: 'container',
          children: {
            netconf: {
              kind: 'container',
              children: { ssh: { kind: 'container', children: { port: leaf } }, 'rfc-compliant': flag },
            },
          },
        },
      },
    },
    interfaces: {
      kind: 'container',
      implicit: 'interface',
      children: {
        interface: {
          kind: 'list',
          children: {
            description: leaf,
            mtu: leaf,
            'apply-macro': applyMacro,
            unit: { kind: 'list', children: { description: leaf, family, 'apply-macro': applyMacro } },
          },
        },
      },
    },
  },
};

export function childSchema(parent: Schema | undefined, tag: string): Schema | undefined {
  return parent?.children?.[tag];
}
