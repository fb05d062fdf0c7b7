import { createKeyQueue } from './key-queue.js';

/**
 * Starts at most `perTurn` tasks in one turn of the event loop; the rest start in the turns that
 * follow, in the order they came — those pushed with `first` before the others (the pool's high
 * and urgent uses: a device's next step is not held behind a fleet's burst of reads). What a task
 * sends leaves when its turn ends (framing/outbox.ts flushes on process.nextTick, after the
 * turn's promise callbacks): a fleet's burst of thousands of uses started in one turn sent nothing
 * until every one of them had built its request, and kept every one's in-flight state alive
 * meanwhile. Paced, the first devices are at work while the rest are prepared (README, "Session
 * pool").
 *
 * `start` must not throw (the pool's settles its own use() whatever the task does).
 */
export function createPacer<T>(perTurn: number, start: (task: T) => void): (task: T, first?: boolean) => void {
  const waiting = createKeyQueue<T>();
  const waitingFirst = createKeyQueue<T>();
  let started = 0;
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(nextTurn);
  };
  function nextTurn(): void {
    scheduled = false;
    started = 0;
    while (started < perTurn && waitingFirst.length + waiting.length > 0) {
      started++;
      start((waitingFirst.shift() ?? waiting.shift())!);
    }
    // The starts of this turn count until its end: the next turn resets the count (and goes on).
    if (started > 0) schedule();
  }
  return (task, first = false) => {
    schedule();
    if (started < perTurn && waitingFirst.length === 0 && (first || waiting.length === 0)) {
      started++;
      start(task);
    } else (first ? waitingFirst : waiting).push(task);
  };
}
