// parseMacsecConnections against a reply built from the element names of Juniper's YANG
// (junos-rpc-security, grouping macsec-connection-information-block): every leaf of every list
// the reply can carry must land in a parsed field, so a field the parser ignores fails here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { junosYangDir, readYangGrouping, skipWithoutJunosYang, type YangNode } from '../testing/junos-yang.js';
import { parseXmlOrdered } from '../xml/parse.js';
import { parseMacsecConnections } from './mka.js';

const skip = skipWithoutJunosYang();

// Where each YANG leaf of the per-interface lists is parsed to, and a value for it.
const FIELDS: Record<string, Record<string, { field: string; value: string; parsed: unknown }>> = {
  'macsec-interface-common-information': {
    'interface-name': { field: 'interface', value: 'et-0/0/7', parsed: 'et-0/0/7' },
    'connectivity-association-name': { field: 'connectivityAssociation', value: 'CA-Y', parsed: 'CA-Y' },
    'cipher-suite': { field: 'cipherSuite', value: 'GCM-AES-XPN-256', parsed: 'GCM-AES-XPN-256' },
    encryption: { field: 'encryption', value: 'on', parsed: true },
    offset: { field: 'offset', value: '30', parsed: 30 },
    'include-sci': { field: 'includeSci', value: 'yes', parsed: true },
    'replay-protect': { field: 'replayProtect', value: 'on', parsed: true },
    'replay-protect-window': { field: 'replayProtectWindow', value: '64', parsed: 64 },
  },
  'outbound-secure-channel': {
    sci: { field: 'sci', value: 'B4:F9:5D:8C:A7:91/1', parsed: 'B4:F9:5D:8C:A7:91/1' },
    'outgoing-packet-number': { field: 'outgoingPacketNumber', value: '18446744073709551615', parsed: '18446744073709551615' },
  },
  'inbound-secure-channel': {
    sci: { field: 'sci', value: '20:93:39:38:51:19/1', parsed: '20:93:39:38:51:19/1' },
    'lowest-accepted-packet-number': { field: 'lowestAcceptedPacketNumber', value: '4294967295', parsed: '4294967295' },
  },
  'secure-association': {
    'association-number': { field: 'associationNumber', value: '2', parsed: 2 },
    'association-number-status': { field: 'status', value: 'inuse', parsed: 'inuse' },
    'create-time': { field: 'createTime', value: '00:10:00', parsed: '00:10:00' },
    'member-identifier': { field: 'memberIdentifier', value: '64B9F944EC9D6A5022BD2D13', parsed: '64B9F944EC9D6A5022BD2D13' },
    'key-number': { field: 'keyNumber', value: '7', parsed: 7 },
    'start-time': { field: 'startTime', value: '2026-06-01 12:00:00 UTC', parsed: '2026-06-01 12:00:00 UTC' },
  },
};

const table = (list: string) => FIELDS[list.endsWith('-secure-association') ? 'secure-association' : list]!;

/** One list entry with every leaf the YANG gives it, nested lists included. */
function entry(list: YangNode): string {
  const body = list.children
    .map((c) => {
      if (c.kind === 'list') return entry(c);
      const spec = table(list.name)[c.name];
      if (!spec) throw new Error(`the YANG's ${list.name}/${c.name} has no parsed field: teach parseMacsecConnections it`);
      return `<${c.name}>${spec.value}</${c.name}>`;
    })
    .join('');
  return `<${list.name}>${body}</${list.name}>`;
}

describe.skipIf(skip)("parseMacsecConnections against Juniper's YANG", () => {
  const file = () => join(junosYangDir()!, 'junos-rpc', 'junos-rpc-security@2024-01-01.yang');

  it('parses every leaf of the lists in macsec-connection-information-block', () => {
    const lists = readYangGrouping(file(), 'macsec-connection-information-block').filter((n) => n.kind === 'list');
    expect(lists.map((l) => l.name)).toEqual(['macsec-interface-common-information', 'outbound-secure-channel', 'inbound-secure-channel']);
    const reply = `<rpc-reply><macsec-connection-information>${lists.map(entry).join('')}</macsec-connection-information></rpc-reply>`;
    const [conn, ...rest] = parseMacsecConnections(parseXmlOrdered(reply));
    expect(rest).toEqual([]);
    const expected = (list: string) => Object.fromEntries(Object.values(table(list)).map((f) => [f.field, f.parsed]));
    const sa = expected('secure-association');
    expect(conn).toEqual({
      ...expected('macsec-interface-common-information'),
      outbound: { ...expected('outbound-secure-channel'), associations: [sa] },
      inbound: [{ ...expected('inbound-secure-channel'), associations: [sa] }],
    });
  });

  it('has nothing the YANG does not: no connection-level create-time', () => {
    const names = new Set<string>();
    const walk = (nodes: YangNode[]): void => nodes.forEach((n) => (n.kind === 'list' ? walk(n.children) : names.add(n.name)));
    walk(readYangGrouping(file(), 'macsec-connection-information-block').filter((n) => n.kind === 'list'));
    const reply = '<macsec-connection-information><macsec-interface-common-information><interface-name>x</interface-name></macsec-interface-common-information><create-time>00:01:00</create-time></macsec-connection-information>';
    const [conn] = parseMacsecConnections(parseXmlOrdered(reply));
    expect(Object.keys(conn!)).not.toContain('createTime');
    expect(names.has('create-time')).toBe(true); // it is there, but per secure association
  });
});
