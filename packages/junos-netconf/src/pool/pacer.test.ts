import { describe, expect, it } from 'vitest';
import { createPacer } from './pacer.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('pacer', () => {
  it('starts at most perTurn tasks in a turn, the rest in the turns that follow, in order', async () => {
    const pace = createPacer<() => void>(3, (task) => task());
    const started: number[] = [];
    for (let i = 0; i < 7; i++) pace(() => started.push(i));
    expect(started).toEqual([0, 1, 2]);
    await nextTurn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    await nextTurn();
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('puts a task that comes while others wait behind them, and starts at once in a quiet turn', async () => {
    const pace = createPacer<() => void>(2, (task) => task());
    const started: string[] = [];
    for (const t of ['a', 'b', 'c', 'd', 'e']) pace(() => started.push(t));
    await nextTurn(); // c and d start in this turn: its count is full
    pace(() => started.push('f'));
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    await nextTurn();
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    await nextTurn();
    await nextTurn(); // nothing started in the last turn: the next task starts at once
    pace(() => started.push('g'));
    expect(started.at(-1)).toBe('g');
  });

  it('starts the tasks pushed first before the others waiting, each in the order they came', async () => {
    const pace = createPacer<() => void>(2, (task) => task());
    const started: string[] = [];
    for (const t of ['a', 'b', 'c', 'd']) pace(() => started.push(t));
    pace(() => started.push('F1'), true);
    pace(() => started.push('F2'), true);
    pace(() => started.push('F3'), true);
    expect(started).toEqual(['a', 'b']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'F1', 'F2']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'F1', 'F2', 'F3', 'c']);
    await nextTurn();
    expect(started).toEqual(['a', 'b', 'F1', 'F2', 'F3', 'c', 'd']);
  });

  it('a start that queues another in the same turn counts it against the turn', async () => {
    const pace = createPacer<() => void>(2, (task) => task());
    const started: string[] = [];
    pace(() => {
      started.push('a');
      pace(() => started.push('a2'));
      pace(() => started.push('a3'));
    });
    expect(started).toEqual(['a', 'a2']);
    await nextTurn();
    expect(started).toEqual(['a', 'a2', 'a3']);
  });
});
