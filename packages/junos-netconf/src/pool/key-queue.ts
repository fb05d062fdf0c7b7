/** A FIFO with O(1) push and shift (Array#shift is O(n), and thousands of keys may wait for a slot). */
export interface KeyQueue<T> {
  push(item: T): void;
  shift(): T | undefined;
  readonly length: number;
}

export function createKeyQueue<T>(): KeyQueue<T> {
  let items: T[] = [];
  let head = 0;
  return {
    push: (item) => void items.push(item),
    shift() {
      if (head >= items.length) return undefined;
      const item = items[head++];
      if (head > 1024 && head * 2 > items.length) {
        items = items.slice(head);
        head = 0;
      }
      return item;
    },
    get length() {
      return items.length - head;
    },
  };
}
