/**
 * What a fleet checks of each MKA session — interface, state, secured, CAK type and CKN — read
 * straight from a <get-mka-session-information> reply in the one XML pass, without the object
 * tree `parseMkaSessions` walks. A rotator reads every device's sessions after every rotation: at
 * thousands of devices the tree of each ~1 KB reply, its fifteen typed fields and their garbage
 * were a few per cent of its CPU. The fields are found exactly as `parseMkaSessions` finds them
 * (mka-summary.test.ts compares the two on every reply shape it knows and on generated ones).
 */
import { ownCopy, intern } from '../own-string.js';
import { parseXmlWith, type XmlBuilder } from '../xml/index.js';
import type { MkaSession } from './mka.js';

export type MkaSummary = Pick<MkaSession, 'interface' | 'state' | 'secured' | 'cakType' | 'ckn'>;

const CONTAINER = 'mka-session-information';
const LIVE = 'session-live';
// The leaves read, in the order parseMkaSessions prefers its variants.
const FIELDS = ['interface-name', 'interface-state', 'session-state', 'cak-type', 'cak-name', 'ckn'] as const;
type Field = (typeof FIELDS)[number];
type Texts = Partial<Record<Field, string | undefined>>;

/** An open element inside a container: its first leaves of interest and its first session-live's. */
interface Item {
  name: string;
  text: string | undefined;
  /** Each field from the FIRST child of that name (a later one is ignored, as textOf ignores it). */
  texts: Texts;
  /** The first session-live child's leaves, once it has closed. */
  live: Texts | undefined;
  /** Sessions found when this element opened: a session drops those found inside it. */
  foundAtOpen: number;
}

const isField = (name: string): name is Field => (FIELDS as readonly string[]).includes(name);

class SummaryBuilder implements XmlBuilder {
  readonly found: MkaSummary[] = [];
  private readonly stack: Array<Item | undefined> = []; // undefined: outside every container
  private containers = 0; // open container elements

  open(name: string): void {
    const inside = this.containers > 0 || name === CONTAINER;
    if (name === CONTAINER) this.containers++;
    this.stack.push(inside ? { name, text: undefined, texts: {}, live: undefined, foundAtOpen: this.found.length } : undefined);
  }

  text(value: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.text = top.text === undefined ? value : top.text + value;
  }

  close(): void {
    const item = this.stack.pop();
    if (item?.name === CONTAINER) this.containers--;
    if (!item) return;
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      if (isField(item.name) && !(item.name in parent.texts)) parent.texts[item.name] = item.text;
      if (item.name === LIVE) parent.live ??= item.texts;
    }
    const iface = item.texts['interface-name'];
    if (iface === undefined) return;
    this.found.length = item.foundAtOpen; // parseMkaSessions does not look inside a session
    this.found.push(summary(item.texts, item.live ?? {}));
  }
}

function summary(own: Texts, live: Texts): MkaSummary {
  const get = (...names: Field[]): string | undefined => {
    for (const n of names) if (own[n] !== undefined) return own[n];
    for (const n of names) if (live[n] !== undefined) return live[n];
    return undefined;
  };
  const state = get('interface-state', 'session-state');
  const stateType = /-\s*(primary|fallback|preceding)/i.exec(state ?? '')?.[1];
  const cakType = get('cak-type')?.toLowerCase() ?? stateType?.toLowerCase();
  const ckn = get('cak-name', 'ckn');
  // Own copies: a string cut from the reply would keep the whole reply alive in a kept summary.
  return {
    interface: intern(get('interface-name')!),
    state: state === undefined ? undefined : intern(state),
    secured: /^secured/i.test(state ?? ''),
    cakType: cakType === undefined ? undefined : intern(cakType),
    ckn: ckn === undefined ? undefined : ownCopy(ckn),
  };
}

/**
 * The sessions of a <get-mka-session-information> (or per-interface) reply, as the raw XML of the
 * reply: the same safety checks and refusals as parseXml.
 */
export function parseMkaSummaries(raw: string): MkaSummary[] {
  const b = new SummaryBuilder();
  parseXmlWith(raw, b);
  return b.found;
}
