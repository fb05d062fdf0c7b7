// What `init` wants on a device beyond its links (plan.ts): the static host mappings and the
// event-options of the config's init section.
import type { EventOptions, MacsecConfig, StaticHostMapping } from '@qkd-macsec/macsec-config';
import type { EngineConfig } from '../engine/config-view.js';
import type { DevicePlan } from './plan.js';

export function planStaticHostMappings(plan: DevicePlan, have: MacsecConfig, config: Pick<EngineConfig, 'init'>): void {
  for (const want of config.init?.staticHostMappings ?? []) {
    const cur = have.staticHostMappings?.find((h) => h.name === want.name);
    const same = cur && [...(cur.inet ?? [])].sort().join(',') === [...want.inet].sort().join(',');
    if (same) continue;
    plan.changes.push(`static-host-mapping ${want.name}: inet ${cur?.inet?.join(' ') || '(none)'} -> ${want.inet.join(' ')}`);
    const entry: StaticHostMapping = { name: want.name, inet: [...want.inet] };
    (cur ? (plan.replace.staticHostMappings ??= []) : (plan.merge.staticHostMappings ??= [])).push(entry);
  }
}

export function planEventOptions(plan: DevicePlan, have: MacsecConfig, config: Pick<EngineConfig, 'init'>): void {
  const ev = config.init?.eventOptions;
  if (!ev) return;
  const want: EventOptions = {};
  const haveEv = have.eventOptions ?? {};
  const pick = <K extends 'generateEvents' | 'policies' | 'eventScripts'>(key: K, what: string) => {
    for (const item of ev[key] ?? []) {
      const cur = (haveEv[key] as Array<{ name: string }> | undefined)?.find((x) => x.name === item.name);
      if (cur && canonical(cur) === canonical(item)) continue;
      plan.changes.push(`event-options ${what} ${item.name}: ${cur ? 'update' : 'add'}`);
      ((want[key] ??= []) as unknown[]).push(item);
    }
  };
  pick('generateEvents', 'generate-event');
  pick('policies', 'policy');
  pick('eventScripts', 'event-script file');
  if (ev.traceoptions && canonical(ev.traceoptions) !== canonical(haveEv.traceoptions ?? {})) {
    plan.changes.push(`event-options traceoptions: ${haveEv.traceoptions ? 'update' : 'add'} (${describeTrace(ev.traceoptions)})`);
    want.traceoptions = ev.traceoptions;
  }
  if (Object.keys(want).length) plan.merge.eventOptions = want;
}

function describeTrace(t: NonNullable<EventOptions['traceoptions']>): string {
  return [t.file && `file ${t.file}`, t.size && `size ${t.size}`, t.files && `files ${t.files}`, t.flags?.length && `flag ${t.flags.join(' ')}`].filter(Boolean).join(', ') || 'empty';
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b))) : v));
}
