// event-options rules of Juniper's 24.4R1 YANG (junos-conf-event-options), for checkConfig.
import { EVENT_TRACE_FLAGS, type EventOptions } from './model.js';
import { checkStartTime } from './start-time.js';
import { checkIntRange, checkWord, show, type Add } from './validate-util.js';

// A script file name: YANG event-script/file/name and policy/then/event-script/name,
// string length "1 .. 254", posix-pattern "!/" (no slash).
const checkScriptFile = (what: string, v: unknown) => checkWord(what, v, 254);

export function checkEventOptions(eo: EventOptions, p: string, add: Add) {
  // YANG (junos-conf-event-options): generate-event max-elements 10.
  if ((eo.generateEvents?.length ?? 0) > 10) add(`${p}.generateEvents`, `at most 10 generate-events, got ${eo.generateEvents!.length}`);
  eo.generateEvents?.forEach((g, i) => {
    const q = `${p}.generateEvents[${i}]`;
    // YANG: generate-event/name, string length "1 .. 63".
    add(`${q}.name`, checkWord('generate-event name', g.name, 63));
    if (g.noDrift !== undefined && typeof g.noDrift !== 'boolean') add(`${q}.noDrift`, `must be a boolean, got ${show(g.noDrift)}`);
    const hasInterval = g.timeInterval !== undefined;
    const hasTod = g.timeOfDay !== undefined;
    // YANG: choice time_choice { time-of-day | time-interval } (one of them; Junos needs one).
    if (hasInterval === hasTod) add(q, 'generate-event needs exactly one of time-interval or time-of-day');
    // YANG: generate-event/time-interval, uint32 range "60 .. 2592000" (seconds).
    if (hasInterval) add(`${q}.timeInterval`, checkIntRange('time-interval (s)', g.timeInterval, 60, 2592000));
    if (hasTod && !/^(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?: ?[+-]\d{4})?$/.test(show(g.timeOfDay))) add(`${q}.timeOfDay`, `time-of-day "${show(g.timeOfDay)}" is not hh:mm:ss[ +hhmm]`);
    if (g.startTime !== undefined) {
      add(`${q}.startTime`, checkStartTime(g.startTime));
      // YANG: generate-event/start-time must ((!(".. time-of-day") && ".. time-interval")).
      if (!hasInterval || hasTod) add(`${q}.startTime`, 'start-time needs time-interval (and no time-of-day)');
    }
  });
  eo.policies?.forEach((pol, i) => {
    const q = `${p}.policies[${i}]`;
    // YANG: policy/name, string length "1 .. 63".
    add(`${q}.name`, checkWord('policy name', pol.name, 63));
    if (!Array.isArray(pol.events) || pol.events.length === 0) add(`${q}.events`, 'policy needs at least one event');
    pol.events?.forEach((e, j) => add(`${q}.events[${j}]`, checkWord('event', e)));
    pol.eventScripts?.forEach((f, j) => add(`${q}.eventScripts[${j}]`, checkScriptFile('event-script file', f)));
  });
  eo.eventScripts?.forEach((f, i) => {
    const q = `${p}.eventScripts[${i}]`;
    add(`${q}.name`, checkScriptFile('event-script file', f.name));
    if (f.pythonScriptUser !== undefined) add(`${q}.pythonScriptUser`, checkWord('python-script-user', f.pythonScriptUser, 64));
  });
  const t = eo.traceoptions;
  if (t) {
    // YANG: traceoptions/file/filename, length "1 .. 1024", no '/', '%' or space.
    if (t.file !== undefined) add(`${p}.traceoptions.file`, checkWord('traceoptions file', t.file, 1024));
    if (t.size !== undefined && !/^\d+[kmg]?$/.test(show(t.size))) add(`${p}.traceoptions.size`, `size "${show(t.size)}" is not a number with optional k, m or g`);
    // YANG: traceoptions/file/files, uint32 range "2 .. 1000".
    if (t.files !== undefined) add(`${p}.traceoptions.files`, checkIntRange('files', t.files, 2, 1000));
    // YANG: traceoptions/flag/name enumeration.
    t.flags?.forEach((f, j) =>
      add(`${p}.traceoptions.flags[${j}]`, (EVENT_TRACE_FLAGS as readonly string[]).includes(f) ? null : `traceoptions flag "${show(f)}" is not one of ${EVENT_TRACE_FLAGS.join(', ')}`),
    );
  }
}

