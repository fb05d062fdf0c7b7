// The link model's key start-times still ahead, earliest first: a binary min-heap, so a commit
// on one device costs O(log n) instead of re-reading every device's key-chains (which made the
// simulator's CPU grow with the square of the fleet). An entry is tagged with its end's generation;
// when the end's configuration changes, its old entries go stale and are skipped when they surface.
export interface SwitchEntry {
  at: number;
  end: string;
  gen: number;
}

export interface SwitchQueue {
  push(e: SwitchEntry): void;
  /** The earliest entry, without removing it (undefined when empty). */
  peek(): SwitchEntry | undefined;
  pop(): SwitchEntry | undefined;
  readonly size: number;
  /** Drops every entry and rebuilds from `entries` (compaction of stale ones). */
  reset(entries: SwitchEntry[]): void;
}

export function createSwitchQueue(): SwitchQueue {
  let heap: SwitchEntry[] = [];
  const up = (i: number) => {
    const e = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]!.at <= e.at) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = e;
  };
  const down = (i: number) => {
    const e = heap[i]!;
    const n = heap.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1]!.at < heap[c]!.at) c++;
      if (heap[c]!.at >= e.at) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = e;
  };
  return {
    push(e) {
      heap.push(e);
      up(heap.length - 1);
    },
    peek: () => heap[0],
    pop() {
      const top = heap[0];
      const last = heap.pop();
      if (heap.length > 0 && last) {
        heap[0] = last;
        down(0);
      }
      return top;
    },
    get size() {
      return heap.length;
    },
    reset(entries) {
      heap = [...entries];
      for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    },
  };
}
