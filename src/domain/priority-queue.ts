interface Entry<T> {
  readonly item: T;
  readonly priority: number;
  /** Arrival order, so that equal priorities leave first in, first out. */
  readonly sequence: number;
}

/**
 * A binary min-heap: the lowest priority number leaves first, and items of equal priority
 * leave in the order they arrived.
 * @example
 * const queue = new PriorityQueue<string>();
 * queue.enqueue('report', Priority.LOW);
 * queue.enqueue('alert', Priority.CRITICAL);
 * queue.dequeue(); // 'alert'
 */
export class PriorityQueue<T> {
  readonly #heap: Entry<T>[] = [];
  #nextSequence = 0;

  /** Adds `item`; O(log n). Throws a RangeError when `priority` is NaN. */
  enqueue(item: T, priority: number): void {
    if (Number.isNaN(priority)) throw new RangeError('priority must be a number, not NaN');
    this.#heap.push({ item, priority, sequence: this.#nextSequence++ });
    this.#siftUp(this.#heap.length - 1);
  }

  /** Removes and returns the item that leaves next, or undefined when empty; O(log n). */
  dequeue(): T | undefined {
    const top = this.#heap[0];
    if (top === undefined) return undefined;
    this.#removeAt(0);
    return top.item;
  }

  /** The item that leaves next, without removing it, or undefined when empty. */
  peek(): T | undefined {
    return this.#heap[0]?.item;
  }

  /**
   * Removes `item` (compared with `===`); when it was enqueued more than once, the occurrence
   * that would leave first goes. O(n) to find, O(log n) to repair. Returns whether one was removed.
   */
  remove(item: T): boolean {
    let found = -1;
    for (let i = 0; i < this.#heap.length; i++) {
      if (this.#heap[i]!.item === item && (found < 0 || this.#before(i, found))) found = i;
    }
    if (found < 0) return false;
    this.#removeAt(found);
    return true;
  }

  /** How many items wait. */
  size(): number {
    return this.#heap.length;
  }

  /** Whether no item waits. */
  isEmpty(): boolean {
    return this.#heap.length === 0;
  }

  #removeAt(index: number): void {
    const last = this.#heap.pop()!;
    if (index === this.#heap.length) return;
    this.#heap[index] = last;
    // The moved entry may belong above or below its new place, never both.
    if (index > 0 && this.#before(index, parentOf(index))) this.#siftUp(index);
    else this.#siftDown(index);
  }

  #siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = parentOf(child);
      if (!this.#before(child, parent)) return;
      this.#swap(child, parent);
      child = parent;
    }
  }

  #siftDown(index: number): void {
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let first = parent;
      if (left < this.#heap.length && this.#before(left, first)) first = left;
      if (right < this.#heap.length && this.#before(right, first)) first = right;
      if (first === parent) return;
      this.#swap(parent, first);
      parent = first;
    }
  }

  /** Whether the entry at `a` leaves before the entry at `b`. */
  #before(a: number, b: number): boolean {
    const x = this.#heap[a]!;
    const y = this.#heap[b]!;
    return x.priority < y.priority || (x.priority === y.priority && x.sequence < y.sequence);
  }

  #swap(a: number, b: number): void {
    const entry = this.#heap[a]!;
    this.#heap[a] = this.#heap[b]!;
    this.#heap[b] = entry;
  }
}

function parentOf(index: number): number {
  return (index - 1) >> 1;
}
