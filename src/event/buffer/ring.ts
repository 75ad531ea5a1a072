/**
 * The FIFO storage under every lane buffer core: a growable ring of events with parallel typed
 * arrays for enqueue times and arrival sequence numbers, and an optional key index for collapsing.
 */
import type { Event } from '../contracts.js';

const INITIAL_SLOTS = 16;

/**
 * A FIFO ring of events that grows by doubling up to `limit` slots (so a 50 000-slot lane costs
 * nothing until it fills) and never shifts an array.
 *
 * Keyed rings keep a `Map` from collapse key to the event's absolute position (a count of pushes,
 * not a slot), so the index survives growth and wrap-around; the head's key is removed from the map
 * when it leaves the ring.
 */
export class EventRing {
  private events: (Event | undefined)[];
  private times: Float64Array;
  private seqs: Float64Array;
  private keys: (string | undefined)[] | undefined;
  private readonly index: Map<string, number> | undefined;
  private head = 0;
  /** Absolute position of the head: how many events ever left the ring. */
  private headPosition = 0;
  /** Events in the ring. */
  size = 0;
  /** Enqueue time of the event the last `shift` returned. */
  lastShiftedAt = Number.NaN;

  constructor(
    /** Most slots the ring may ever use (`Infinity` for an unbounded ring). */
    readonly limit: number,
    keyed: boolean,
  ) {
    const slots = Math.min(limit, INITIAL_SLOTS);
    this.events = new Array<Event | undefined>(slots);
    this.times = new Float64Array(slots);
    this.seqs = new Float64Array(slots);
    this.keys = keyed ? new Array<string | undefined>(slots) : undefined;
    this.index = keyed ? new Map() : undefined;
  }

  /** Appends `event` enqueued at `time` with arrival number `seq`, indexed under `key` if given. */
  push(event: Event, time: number, seq: number, key?: string): void {
    let length = this.events.length;
    if (this.size === length) length = this.grow();
    let slot = this.head + this.size;
    if (slot >= length) slot -= length;
    this.events[slot] = event;
    this.times[slot] = time;
    this.seqs[slot] = seq;
    if (key !== undefined && this.keys !== undefined) {
      this.keys[slot] = key;
      this.index!.set(key, this.headPosition + this.size);
    }
    this.size++;
  }

  /** Removes and returns the head; the caller checks `size > 0` first. */
  shift(): Event {
    const slot = this.head;
    const event = this.events[slot]!;
    this.events[slot] = undefined;
    this.lastShiftedAt = this.times[slot]!;
    if (this.keys !== undefined) {
      const key = this.keys[slot];
      if (key !== undefined) {
        this.keys[slot] = undefined;
        this.index!.delete(key);
      }
    }
    this.head = slot + 1 === this.events.length ? 0 : slot + 1;
    this.headPosition++;
    this.size--;
    return event;
  }

  /** The head event, or undefined when empty. */
  peek(): Event | undefined {
    return this.size === 0 ? undefined : this.events[this.head];
  }

  /** Arrival number of the head; only meaningful when `size > 0`. */
  headSeq(): number {
    return this.seqs[this.head]!;
  }

  /** Enqueue time of the head; only meaningful when `size > 0`. */
  headTime(): number {
    return this.times[this.head]!;
  }

  /** Absolute position of the queued event indexed under `key`, or -1. */
  positionOf(key: string): number {
    return this.index?.get(key) ?? -1;
  }

  /** Puts `event` in place of the event at absolute `position` (keeping its time and order); returns the replaced event. */
  replaceAt(position: number, event: Event): Event {
    let slot = this.head + (position - this.headPosition);
    if (slot >= this.events.length) slot -= this.events.length;
    const replaced = this.events[slot]!;
    this.events[slot] = event;
    return replaced;
  }

  /** Doubles the storage (up to `limit`), unrolling the ring to start at slot 0. Returns the new length. */
  private grow(): number {
    const length = this.events.length;
    if (length >= this.limit) throw new RangeError(`EventRing: full at ${length} slots`);
    const grown = Math.min(this.limit, length * 2);
    const events = new Array<Event | undefined>(grown);
    const times = new Float64Array(grown);
    const seqs = new Float64Array(grown);
    const keys = this.keys === undefined ? undefined : new Array<string | undefined>(grown);
    for (let i = 0; i < this.size; i++) {
      let from = this.head + i;
      if (from >= length) from -= length;
      events[i] = this.events[from];
      times[i] = this.times[from]!;
      seqs[i] = this.seqs[from]!;
      if (keys !== undefined) keys[i] = this.keys![from];
    }
    this.events = events;
    this.times = times;
    this.seqs = seqs;
    this.keys = keys;
    this.head = 0;
    return grown;
  }
}
