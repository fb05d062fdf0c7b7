/** Request XML for the standard RFC 6241 operations. Pure string builders, tested alone. */
import { escapeXmlAttribute, escapeXmlText } from '../xml/escape.js';

export type Datastore = 'running' | 'candidate' | 'startup';

/** Subtree filter (XML text, inserted as is) or XPath filter (needs the :xpath capability). */
export type Filter = { subtree: string } | { xpath: string };

function datastore(ds: Datastore): string {
  if (ds !== 'running' && ds !== 'candidate' && ds !== 'startup') throw new TypeError(`unknown datastore ${JSON.stringify(ds)}`);
  return `<${ds}/>`;
}

function filterXml(filter: Filter | undefined): string {
  if (!filter) return '';
  if ('subtree' in filter) return `<filter type="subtree">${filter.subtree}</filter>`;
  return `<filter type="xpath" select="${escapeXmlAttribute(filter.xpath)}"/>`;
}

export const getRpc = (filter?: Filter): string => `<get>${filterXml(filter)}</get>`;

export const getConfigRpc = (source: Datastore = 'running', filter?: Filter): string => `<get-config><source>${datastore(source)}</source>${filterXml(filter)}</get-config>`;

export interface EditConfigOptions {
  target?: Datastore;
  /** The <config> content (XML text). */
  config: string;
  defaultOperation?: 'merge' | 'replace' | 'none';
  testOption?: 'test-then-set' | 'set' | 'test-only';
  errorOption?: 'stop-on-error' | 'continue-on-error' | 'rollback-on-error';
}

export function editConfigRpc(o: EditConfigOptions): string {
  return (
    `<edit-config><target>${datastore(o.target ?? 'candidate')}</target>` +
    (o.defaultOperation ? `<default-operation>${o.defaultOperation}</default-operation>` : '') +
    (o.testOption ? `<test-option>${o.testOption}</test-option>` : '') +
    (o.errorOption ? `<error-option>${o.errorOption}</error-option>` : '') +
    `<config>${o.config}</config></edit-config>`
  );
}

export interface CommitOptions {
  /** Confirmed commit (:confirmed-commit); rolled back unless confirmed by a plain commit. */
  confirmed?: boolean;
  /** Seconds before a confirmed commit rolls back (RFC 6241 default 600). */
  confirmTimeoutSeconds?: number;
  persist?: string;
  persistId?: string;
}

export function commitRpc(o: CommitOptions = {}): string {
  const parts = [
    o.confirmed ? '<confirmed/>' : '',
    o.confirmTimeoutSeconds !== undefined ? `<confirm-timeout>${positiveInt(o.confirmTimeoutSeconds, 'confirmTimeoutSeconds')}</confirm-timeout>` : '',
    o.persist !== undefined ? `<persist>${escapeXmlText(o.persist)}</persist>` : '',
    o.persistId !== undefined ? `<persist-id>${escapeXmlText(o.persistId)}</persist-id>` : '',
  ].join('');
  return parts ? `<commit>${parts}</commit>` : '<commit/>';
}

export const cancelCommitRpc = (persistId?: string): string => (persistId ? `<cancel-commit><persist-id>${escapeXmlText(persistId)}</persist-id></cancel-commit>` : '<cancel-commit/>');
export const discardChangesRpc = (): string => '<discard-changes/>';
export const validateRpc = (source: Datastore = 'candidate'): string => `<validate><source>${datastore(source)}</source></validate>`;
export const lockRpc = (target: Datastore = 'candidate'): string => `<lock><target>${datastore(target)}</target></lock>`;
export const unlockRpc = (target: Datastore = 'candidate'): string => `<unlock><target>${datastore(target)}</target></unlock>`;
export const killSessionRpc = (sessionId: number): string => `<kill-session><session-id>${positiveInt(sessionId, 'sessionId')}</session-id></kill-session>`;

function positiveInt(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new TypeError(`${what} must be a positive integer, got ${String(n)}`);
  return n;
}
