/** Request XML for the Junos RPCs the device API uses. Pure string builders, tested alone. */
import { escapeXmlAttribute, escapeXmlText } from '../xml/escape.js';
import { refuseRenamed } from '../renamed-options.js';

export type ConfigFormat = 'xml' | 'text' | 'set' | 'json';
export type LoadAction = 'merge' | 'replace' | 'override' | 'update' | 'set';

const FORMATS: readonly ConfigFormat[] = ['xml', 'text', 'set', 'json'];
const ACTIONS: readonly LoadAction[] = ['merge', 'replace', 'override', 'update', 'set'];

function oneOf<T extends string>(value: T, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value)) throw new TypeError(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  return value;
}

function intIn(n: number, min: number, max: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new TypeError(`${what} must be an integer ${min}..${max}, got ${String(n)}`);
  return n;
}

export interface GetConfigurationOptions {
  /** Subtree filter: XML such as `<configuration><security/></configuration>` (or just `<security/>`). */
  filter?: string;
  /** Default 'xml'. */
  format?: ConfigFormat;
  /** 'candidate' (what Junos returns when the attribute is left out) or 'committed'. */
  database?: 'committed' | 'candidate';
}

export function getConfigurationRpc(o: GetConfigurationOptions = {}): string {
  const format = oneOf(o.format ?? 'xml', FORMATS, 'format');
  const attrs = `${format === 'xml' ? '' : ` format="${format}"`}${o.database ? ` database="${oneOf(o.database, ['committed', 'candidate'], 'database')}"` : ''}`;
  if (!o.filter) return `<get-configuration${attrs}/>`;
  const filter = /^\s*<configuration[\s/>]/.test(o.filter) ? o.filter : `<configuration>${o.filter}</configuration>`;
  return `<get-configuration${attrs}>${filter}</get-configuration>`;
}

export interface LoadOptions {
  /** The configuration: XML (with or without the <configuration> element), curly text, set commands or JSON. */
  config: string;
  format: ConfigFormat;
  /** merge (default), replace, override, update; 'set' is implied by (and only valid with) format 'set'. */
  action?: LoadAction;
}

export function loadConfigurationRpc(o: LoadOptions): string {
  const format = oneOf(o.format, FORMATS, 'format');
  const action = oneOf(o.action ?? (format === 'set' ? 'set' : 'merge'), ACTIONS, 'action');
  if ((format === 'set') !== (action === 'set')) {
    throw new TypeError(format === 'set' ? `set-format configuration loads with action "set", not "${action}"` : `action "set" needs format "set", not "${format}"`);
  }
  if (typeof o.config !== 'string' || o.config.trim() === '') throw new TypeError('load needs a non-empty configuration string');
  switch (format) {
    case 'xml': {
      const body = /^\s*<configuration[\s/>]/.test(o.config) ? o.config : `<configuration>${o.config}</configuration>`;
      return `<load-configuration action="${action}" format="xml">${body}</load-configuration>`;
    }
    case 'text':
      return `<load-configuration action="${action}" format="text"><configuration-text>${escapeXmlText(o.config)}</configuration-text></load-configuration>`;
    case 'set':
      return `<load-configuration action="set" format="text"><configuration-set>${escapeXmlText(o.config)}</configuration-set></load-configuration>`;
    case 'json':
      return `<load-configuration action="${action}" format="json"><configuration-json>${escapeXmlText(o.config)}</configuration-json></load-configuration>`;
  }
}

export interface JunosCommitOptions {
  /** Validate only (commit check). */
  check?: boolean;
  /** Commit confirmed: rolled back automatically unless confirmed within this many minutes. */
  confirmed?: boolean;
  /** Minutes (1..65535) before an unconfirmed commit rolls back; Junos default 10. */
  confirmTimeoutMinutes?: number;
  /** Commit comment (shown in `show system commit`). */
  comment?: string;
  /** Commit on both Routing Engines. */
  synchronize?: boolean;
}

export function commitConfigurationRpc(o: JunosCommitOptions = {}): string {
  refuseRenamed(o, { confirmTimeout: 'confirmTimeoutMinutes' }, 'commit options');
  if (o.check && (o.confirmed || o.confirmTimeoutMinutes !== undefined)) throw new TypeError('commit check cannot be confirmed');
  if (o.confirmTimeoutMinutes !== undefined && !o.confirmed) throw new TypeError('confirmTimeoutMinutes needs confirmed: true');
  const parts = [
    o.check ? '<check/>' : '',
    o.synchronize ? '<synchronize/>' : '',
    o.confirmed ? '<confirmed/>' : '',
    o.confirmTimeoutMinutes !== undefined ? `<confirm-timeout>${intIn(o.confirmTimeoutMinutes, 1, 65535, 'confirmTimeoutMinutes')}</confirm-timeout>` : '',
    o.comment !== undefined ? `<log>${escapeXmlText(o.comment)}</log>` : '',
  ].join('');
  return parts ? `<commit-configuration>${parts}</commit-configuration>` : '<commit-configuration/>';
}

export const rollbackRpc = (n: number): string => `<load-configuration rollback="${intIn(n, 0, 49, 'rollback')}"/>`;

/** Candidate vs rollback n (0 = the active configuration), as text diff. */
export const diffRpc = (rollback = 0): string => `<get-configuration compare="rollback" rollback="${intIn(rollback, 0, 49, 'rollback')}" format="text"/>`;

export const lockConfigurationRpc = (): string => '<lock-configuration/>';
export const unlockConfigurationRpc = (): string => '<unlock-configuration/>';
export const openPrivateConfigurationRpc = (): string => '<open-configuration><private/></open-configuration>';
export const closeConfigurationRpc = (): string => '<close-configuration/>';

export function commandRpc(command: string, format: 'text' | 'xml' | 'json' = 'text'): string {
  if (typeof command !== 'string' || command.trim() === '') throw new TypeError('cli needs a non-empty command');
  return `<command format="${escapeXmlAttribute(oneOf(format, ['text', 'xml', 'json'], 'format'))}">${escapeXmlText(command.trim())}</command>`;
}

export const softwareInformationRpc = (): string => '<get-software-information/>';
export const chassisInventoryRpc = (): string => '<get-chassis-inventory/>';

// Per Juniper's junos-rpc-security YANG the unfiltered RPCs take no interface; filtering by
// interface is a separate RPC with an interface-name input leaf.
const filtered = (rpc: string, iface: string | undefined): string =>
  iface ? `<${rpc}-interface-information><interface-name>${escapeXmlText(iface)}</interface-name></${rpc}-interface-information>` : `<${rpc}-information/>`;
/** `<get-mka-session-information/>`, or `<get-mka-session-interface-information>` for one interface. */
export const mkaSessionsRpc = (iface?: string): string => filtered('get-mka-session', iface);
/** `<get-macsec-connection-information/>`, or `<get-macsec-connection-interface-information>` for one interface. */
export const macsecConnectionsRpc = (iface?: string): string => filtered('get-macsec-connection', iface);
