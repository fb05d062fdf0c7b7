// `event-options` as Juniper's 24.4R1 YANG has it (junos-conf-event-options, the same
// generate-event, policy and event-script statements in the four families). The statements the
// field script and the rotator use are typed; the rest of a policy's actions, `destinations` and
// `redundancy-event` are known statements whose insides are kept as given.
import {
  container,
  enumLeaf,
  flag,
  keyList,
  leaf,
  leafList,
  list,
  noSlash,
  noSlashPercentSpace,
  opaqueContainer,
  opaqueList,
  str,
  traceFile,
  uint,
  type Schema,
} from './schema-types.js';

const EVENT_TRACE_FLAGS = ['server', 'configuration', 'events', 'timer-events', 'database', 'policy', 'registration', 'syslogd', 'all'] as const;
/** generate-event: max-elements 10. */
const MAX_GENERATE_EVENTS = 10;

const policyEventScript = list(
  {
    arguments: { kind: 'list', strict: true, length: [1, 254], positional: 'value', children: { value: leaf } },
    'user-name': leaf,
    'output-filename': { kind: 'leaf', pattern: noSlashPercentSpace },
    destination: opaqueList,
    'output-format': enumLeaf(['text', 'xml']),
  },
  { length: [1, 254], pattern: noSlash },
);

export const EVENT_OPTIONS: Schema = container({
  'max-policies': uint(0, 20),
  // generate-event has no apply-advanced in the YANG
  'generate-event': {
    kind: 'list',
    strict: true,
    grouped: true,
    length: [1, 63],
    maxElements: MAX_GENERATE_EVENTS,
    choices: [['time-of-day', 'time-interval']],
    children: { 'time-of-day': leaf, 'time-interval': uint(60, 2592000), 'start-time': leaf, 'no-drift': flag },
  },
  policy: list(
    {
      events: leafList,
      within: opaqueList,
      'attributes-match': opaqueList,
      then: container({
        ignore: flag,
        'priority-override': opaqueContainer,
        upload: opaqueList,
        'change-configuration': opaqueContainer,
        'execute-commands': opaqueContainer,
        'event-script': policyEventScript,
        'raise-trap': flag,
      }),
    },
    { length: [1, 63] },
  ),
  'event-script': container({
    optional: flag,
    'max-datasize': leaf,
    dampen: opaqueContainer,
    start: opaqueContainer,
    traceoptions: opaqueContainer,
    file: list(
      {
        source: str(1, 254),
        'cert-file': leaf,
        'python-script-user': leaf,
        dampen: opaqueContainer,
        start: opaqueContainer,
        'routing-instance': leaf,
        refresh: flag,
        'refresh-from': str(1, 254),
        checksum: container({ 'sha-256': str(1, 254) }),
        'remote-execution': opaqueList,
      },
      // file/name: length 1..254, posix-pattern "!/"
      { length: [1, 254], pattern: noSlash },
    ),
    refresh: flag,
    'refresh-from': str(1, 254),
  }),
  destinations: opaqueList,
  traceoptions: container({
    'no-remote-trace': flag,
    file: traceFile({ match: leaf }),
    flag: keyList({ enum: EVENT_TRACE_FLAGS }),
  }),
  'redundancy-event': opaqueList,
});
