// etsi-qkd-client's ETSI GS QKD 014 schemas through parseMessage, the one function the client
// and sim-kme use to read a message. Its contract: a TypeError whose message starts with
// "invalid <what>:" and names the bad fields. Anything else escaping is a finding.
import { etsiErrorSchema, keyContainerSchema, keyIdsSchema, keyRequestSchema, parseMessage, statusSchema } from '@qkd-macsec/etsi-qkd-client/schemas';
import { mutateJson, type Json } from '../json-mutate.js';
import { mutate } from '../mutate.js';
import { etsiSamples } from '../samples.js';
import type { Target, TargetRun } from '../types.js';

const SCHEMAS = { status: statusSchema, keyRequest: keyRequestSchema, keyContainer: keyContainerSchema, keyIds: keyIdsSchema, error: etsiErrorSchema } as const;
type SchemaName = keyof typeof SCHEMAS;
const JSON_TOKENS = ['{', '}', '[', ']', ',', ':', '"', '\\u0000', '\\ud800', 'null', 'true', '-', '1e999', '0.0', '"__proto__":{}', '"keys":[]', ' '];

interface Input {
  schema: SchemaName;
  value: unknown;
  text: string;
}

export const etsiSchemasTarget: Target = {
  name: 'etsi-schemas',
  description: 'etsi-qkd-client parseMessage with the Status, Key request, Key container, Key IDs and Error schemas',
  weight: 15,
  wire: false,
  async start(): Promise<TargetRun<Input>> {
    const samples = etsiSamples();
    return {
      generate(rng) {
        const sample = rng.pick(samples);
        const schema = rng.chance(0.9) ? sample.schema : rng.pick(Object.keys(SCHEMAS) as SchemaName[]);
        if (rng.chance(0.05)) return { schema, value: sample.value, text: JSON.stringify(sample.value) };
        if (rng.chance(0.3)) {
          // Text-level edits, then JSON.parse as a client would; unparseable text never reaches the schema.
          const text = mutate(rng, JSON.stringify(sample.value), { tokens: JSON_TOKENS, maxEdits: 3 });
          try {
            return { schema, value: JSON.parse(text) as unknown, text };
          } catch {
            /* fall through to a structural edit */
          }
        }
        const value = mutateJson(rng, sample.value as Json);
        return { schema, value, text: JSON.stringify(value) };
      },
      execute({ schema, value }) {
        parseMessage(SCHEMAS[schema] as never, value, schema);
      },
      show: ({ schema, text }) => `parseMessage(${schema}, ${text})`,
      isOwnError: (err) => err instanceof TypeError && /^invalid \w+: /.test(err.message),
    };
  },
};
