// The Junos statements the simulator must understand structurally. Everything else is kept
// opaquely: the tree still stores it, guessing its shape from the words used (see config-tree.ts).
// The modelled hierarchies (security macsec, authentication-key-chains, event-options) follow
// Juniper's 24.4R1 YANG: their statements, value types and ranges are in schema-macsec.ts,
// schema-key-chains.ts and schema-event-options.ts, checked by validate-types.ts.
import { EVENT_OPTIONS } from './schema-event-options.js';
import { KEY_CHAINS } from './schema-key-chains.js';
import { MACSEC } from './schema-macsec.js';
import { applyMacro, leaf, leafList, flag } from './schema-types.js';

export type { Schema, StatementKind } from './schema-types.js';
import type { Schema } from './schema-types.js';

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
      children: { macsec: MACSEC, 'authentication-key-chains': KEY_CHAINS },
    },
    'event-options': EVENT_OPTIONS,
    system: {
      kind: 'container',
      children: {
        'host-name': leaf,
        // `system login user NAME …`: event scripts' users must exist (validate-must.ts)
        login: { kind: 'container', children: { user: { kind: 'list' } } },
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
