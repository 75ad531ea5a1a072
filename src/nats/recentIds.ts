/**
 * The last N event ids a consumer acked, for dropping redeliveries of events already handled: a
 * JetStream ack can be lost (or arrive after the ack wait), and the message then comes again.
 * A ring of ids with a set beside it: O(1) per id, no growth past `capacity`.
 */
export class RecentIds {
  private readonly ring: (string | undefined)[];
  private readonly members = new Set<string>();
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity: expected a positive integer, got ${capacity}`);
    this.ring = new Array<string | undefined>(capacity);
  }

  /** True when `id` is among the last `capacity` ids added. */
  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Remembers `id`, forgetting the oldest id once `capacity` are held. */
  add(id: string): void {
    if (this.members.has(id)) return;
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.members.delete(evicted);
    this.ring[this.next] = id;
    this.members.add(id);
    this.next = (this.next + 1) % this.capacity;
  }

  get size(): number {
    return this.members.size;
  }
}
