// junos-netconf's XML entry points: parseXml, parseXmlOrdered, parseRpcReply (then the MKA and
// MACsec reply readers on what it returns) and parseHello. Own errors: XmlError, HelloError.
import { HelloError, XmlError, parseFacts, parseHello, parseMacsecConnections, parseMkaSessions, parseRpcReply } from '@qkd-macsec/junos-netconf';
import { parseXml, parseXmlOrdered } from '@qkd-macsec/junos-netconf/xml';
import { mutate } from '../mutate.js';
import { configurationSamples, netconfSamples } from '../samples.js';
import type { Problem, Target, TargetRun } from '../types.js';
import { leakedInternals, mustRefuse } from '../xml-oracle.js';

const ENTRY_POINTS = ['parseXml', 'parseXmlOrdered', 'parseRpcReply', 'parseHello'] as const;
type Entry = (typeof ENTRY_POINTS)[number];

interface Input {
  entry: Entry;
  xml: string;
}

function call(entry: Entry, xml: string): unknown {
  switch (entry) {
    case 'parseXml':
      return parseXml(xml);
    case 'parseXmlOrdered': {
      const doc = parseXmlOrdered(xml);
      parseMacsecConnections(doc);
      return doc;
    }
    case 'parseRpcReply': {
      const reply = parseRpcReply(xml);
      parseMkaSessions(reply.result);
      parseFacts(reply.result, undefined);
      return reply;
    }
    case 'parseHello':
      return parseHello(xml);
  }
}

export const junosXmlTarget: Target = {
  name: 'junos-xml',
  description: 'junos-netconf parseXml / parseXmlOrdered / parseRpcReply (+ MKA, MACsec, facts readers) / parseHello',
  weight: 25,
  wire: false,
  async start(): Promise<TargetRun<Input>> {
    const corpus = [...netconfSamples(), ...configurationSamples()];
    return {
      generate(rng) {
        const entry = rng.pick(ENTRY_POINTS);
        const base = entry === 'parseHello' && rng.chance(0.7) ? corpus[0]! : rng.pick(corpus);
        return { entry, xml: rng.chance(0.05) ? base : mutate(rng, base, { corpus }) };
      },
      execute({ entry, xml }): Problem[] {
        const result = call(entry, xml);
        const problems: Problem[] = [];
        const refuse = mustRefuse(xml);
        if (refuse) problems.push({ kind: 'accepted-invalid', summary: `${entry} accepted a document with an illegal XML construct (${refuse.reason})`, detail: refuse.detail });
        const leak = leakedInternals(result);
        if (leak) problems.push({ kind: 'wrong-result', summary: `${entry} returned JavaScript internals`, detail: leak });
        return problems;
      },
      show: ({ entry, xml }) => `${entry}(${JSON.stringify(xml)})`,
      isOwnError: (err) => err instanceof XmlError || err instanceof HelloError,
    };
  },
};
