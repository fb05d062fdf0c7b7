/**
 * Typed views of `show security mka sessions` (<get-mka-session-information/>, per interface
 * <get-mka-session-interface-information>) and `show security macsec connections`
 * (<get-macsec-connection-information/>, per interface <get-macsec-connection-interface-information>).
 * Field names differ between Junos releases and platforms, so each field is read from the
 * known variants; everything as received stays available in `raw`.
 */
import { asArray, childObject, findAll, isObject, textOf, type XmlObject } from '../xml/nodes.js';
import type { XmlElement } from '../xml/parse.js';

export interface MkaCak {
  /** CAK name (CKN), hex. */
  ckn: string | undefined;
  /** primary | fallback | preceding (as reported). */
  type: string | undefined;
  state: string | undefined;
}

export interface MkaSession {
  interface: string;
  /** e.g. "Secured - Primary", "Unsecured". */
  state: string | undefined;
  /** State says Secured (including Secured-Suspended). */
  secured: boolean;
  /** CAK type in use: primary | fallback | preceding (from the state or the cak-type field). */
  cakType: string | undefined;
  /** CAK name (CKN) of the session in use. */
  ckn: string | undefined;
  memberIdentifier: string | undefined;
  transmitIntervalMs: number | undefined;
  outboundSci: string | undefined;
  messageNumber: number | undefined;
  keyNumber: number | undefined;
  keyServer: boolean | undefined;
  keyServerPriority: number | undefined;
  /** Latest SAK association number. */
  latestSakAn: number | undefined;
  /** Latest SAK key identifier (all zeros: no SAK distributed yet). */
  latestSakKi: string | undefined;
  /** A SAK has been distributed (latestSakKi present and not all zeros). */
  sakInstalled: boolean;
  /** CAK list (detail output), when the device reports it. */
  caks: MkaCak[];
  raw: XmlObject;
}

const first = (o: XmlObject, ...names: string[]): string | undefined => {
  for (const n of names) {
    const t = textOf(o[n]);
    if (t !== undefined) return t;
  }
  return undefined;
};
const int = (s: string | undefined): number | undefined => {
  const m = s === undefined ? null : /^\s*(\d+)/.exec(s);
  return m ? Number(m[1]) : undefined;
};
const yesNo = (s: string | undefined): boolean | undefined => (s === undefined ? undefined : /^(yes|true|on)$/i.test(s) ? true : /^(no|false|off)$/i.test(s) ? false : undefined);

function toCak(node: unknown): MkaCak {
  const o = isObject(node) ? node : {};
  return { ckn: first(o, 'cak-name', 'ckn'), type: first(o, 'cak-type')?.toLowerCase(), state: first(o, 'cak-state', 'state') };
}

function toSession(o: XmlObject): MkaSession {
  const live = childObject(o, 'session-live') ?? {};
  const get = (...names: string[]): string | undefined => first(o, ...names) ?? first(live, ...names);
  const state = get('interface-state', 'session-state');
  const stateType = /-\s*(primary|fallback|preceding)/i.exec(state ?? '')?.[1];
  const ki = get('latest-sak-ki', 'latest-sak-key-identifier');
  return {
    interface: get('interface-name')!,
    state,
    secured: /^secured/i.test(state ?? ''),
    cakType: get('cak-type')?.toLowerCase() ?? stateType?.toLowerCase(),
    ckn: get('cak-name', 'ckn'),
    memberIdentifier: get('member-identifier'),
    transmitIntervalMs: int(get('transmit-interval')),
    outboundSci: get('outbound-sci'),
    messageNumber: int(get('message-number')),
    keyNumber: int(get('key-number')),
    keyServer: yesNo(get('key-server')),
    keyServerPriority: int(get('key-server-priority')),
    latestSakAn: int(get('latest-sak-an', 'latest-sak-association-number')),
    latestSakKi: ki,
    sakInstalled: ki !== undefined && !/^[0/]+$/.test(ki.replace(/\s/g, '')),
    caks: asArray(o['session-cak']).map(toCak),
    raw: o,
  };
}

/** Every MKA session in a <get-mka-session-information/> reply (one per interface). */
export function parseMkaSessions(reply: XmlObject): MkaSession[] {
  const sessions: MkaSession[] = [];
  const visit = (node: unknown): void => {
    for (const item of asArray(node)) {
      if (!isObject(item)) continue;
      if (textOf(item['interface-name']) !== undefined) sessions.push(toSession(item));
      else for (const [k, v] of Object.entries(item)) if (!k.startsWith('@_') && k !== '#text') visit(v);
    }
  };
  for (const info of findAll(reply, 'mka-session-information')) visit(info);
  return sessions;
}

/** One secure association, with the leaves the YANG's inbound/outbound-secure-association carry. */
export interface MacsecSecureAssociation {
  associationNumber: number | undefined;
  /** e.g. "inuse". */
  status: string | undefined;
  createTime: string | undefined;
  /** MKA member identifier of the key server that distributed the SAK (the KI's first part). */
  memberIdentifier: string | undefined;
  /** MKA key number of the SAK (the KI's second part). */
  keyNumber: number | undefined;
  /** When the SA started being used, as Junos prints it. */
  startTime: string | undefined;
}

export interface MacsecConnection {
  interface: string;
  connectivityAssociation: string | undefined;
  cipherSuite: string | undefined;
  encryption: boolean | undefined;
  offset: number | undefined;
  includeSci: boolean | undefined;
  replayProtect: boolean | undefined;
  replayProtectWindow: number | undefined;
  /** Packet numbers are uint64 in the YANG: kept as text so none loses precision. */
  outbound: { sci: string | undefined; outgoingPacketNumber: string | undefined; associations: MacsecSecureAssociation[] } | undefined;
  inbound: Array<{ sci: string | undefined; lowestAcceptedPacketNumber: string | undefined; associations: MacsecSecureAssociation[] }>;
}

const childText = (e: XmlElement, name: string): string | undefined => e.children.find((c) => c.name === name)?.text || undefined;

function toAssociation(e: XmlElement): MacsecSecureAssociation {
  return {
    associationNumber: int(childText(e, 'association-number')),
    status: childText(e, 'association-number-status'),
    createTime: childText(e, 'create-time'),
    memberIdentifier: childText(e, 'member-identifier'),
    keyNumber: int(childText(e, 'key-number')),
    startTime: childText(e, 'start-time'),
  };
}

/**
 * Connections in a <get-macsec-connection-information/> or
 * <get-macsec-connection-interface-information> reply (pass parseXmlOrdered's output).
 * Junos lists each interface as a run of siblings — common information, outbound and inbound
 * channels — so sibling order decides which channel belongs to which interface. Elements the
 * YANG (junos-rpc-security, macsec-connection-information-block) does not define are ignored.
 */
export function parseMacsecConnections(doc: readonly XmlElement[]): MacsecConnection[] {
  const out: MacsecConnection[] = [];
  const containers: XmlElement[] = [];
  const walk = (els: readonly XmlElement[]): void => {
    for (const e of els) {
      if (e.name === 'macsec-connection-information') containers.push(e);
      else walk(e.children);
    }
  };
  walk(doc);
  for (const container of containers) {
    let current: MacsecConnection | undefined;
    for (const e of container.children) {
      if (e.name === 'macsec-interface-common-information') {
        current = {
          interface: childText(e, 'interface-name') ?? '',
          connectivityAssociation: childText(e, 'connectivity-association-name'),
          cipherSuite: childText(e, 'cipher-suite'),
          encryption: yesNo(childText(e, 'encryption')),
          offset: int(childText(e, 'offset')),
          includeSci: yesNo(childText(e, 'include-sci')),
          replayProtect: yesNo(childText(e, 'replay-protect')),
          replayProtectWindow: int(childText(e, 'replay-protect-window')),
          outbound: undefined,
          inbound: [],
        };
        out.push(current);
      } else if (!current) {
        continue;
      } else if (e.name === 'outbound-secure-channel') {
        current.outbound = {
          sci: childText(e, 'sci'),
          outgoingPacketNumber: childText(e, 'outgoing-packet-number'),
          associations: e.children.filter((c) => c.name === 'outbound-secure-association').map(toAssociation),
        };
      } else if (e.name === 'inbound-secure-channel') {
        current.inbound.push({
          sci: childText(e, 'sci'),
          lowestAcceptedPacketNumber: childText(e, 'lowest-accepted-packet-number'),
          associations: e.children.filter((c) => c.name === 'inbound-secure-association').map(toAssociation),
        });
      }
    }
  }
  return out;
}
