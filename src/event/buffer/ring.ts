/**
 * The FIFO storage under every lane buffer core: a growable power-of-two ring of events with a
 * parallel typed array of enqueue times, an optional typed array of order marks and an optional
 * key index for collapsing.
 */
import type { Event } from '../contracts.js';

const INITIAL_SLOTS = 16;

/**
 * A FIFO ring of events that grows by doubling (so a 50 000-slot lane costs nothing until it
 * fills) and never shifts an array. Slots are a power of two, so wrapping is a mask. The owner
 * bounds how many events it pushes; the ring only grows.
 *
 * Positions are absolute 32-bit counters: the n-th event ever pushed has position n (modulo
 * 2^32, as a signed int32), and it sits in slot `position & mask` however often the ring grows or
 * wraps, because growth re-lays the events by the same rule. `head` and `tail` are the positions
 * of the oldest event and of the next push, so `size` is their difference; the counters wrap from
 * 2^31 − 1 to −2^31 instead of turning into doubles, and every comparison between positions is
 * made on their int32 difference, which stays exact while fewer than 2^31 events separate them.
 *
 * Keyed rings keep a `Map` from collapse key to position (and the key beside each slot, so the
 * head's key leaves the map without being recomputed). Marked rings store one int32 per event
 * (the owner's order mark: the position another ring's tail had when this event arrived).
 */
export class EventRing {
  private events: (Event | undefined)[];
  private times: Float64Array;
  private marks: Int32Array | undefined;
  private keys: unknown[] | undefined;
  private readonly index: Map<unknown, number> | undefined;
  private mask: number;
  /** Position of the oldest event (int32, wraps). */
  head: number;
  /** Position the next pushed event will get (int32, wraps). */
  tail: number;

  /**
   * @param keyed keep a key index (collapsing rings)
   * @param marked keep an order mark per event
   * @param start the first position (0; other values let tests cross the int32 wrap)
   */
  constructor(keyed: boolean, marked: boolean, start = 0) {
    this.events = new Array<Event | undefined>(INITIAL_SLOTS);
    this.times = new Float64Array(INITIAL_SLOTS);
    this.marks = marked ? new Int32Array(INITIAL_SLOTS) : undefined;
    this.keys = keyed ? new Array<unknown>(INITIAL_SLOTS) : undefined;
    this.index = keyed ? new Map() : undefined;
    this.mask = INITIAL_SLOTS - 1;
    this.head = start | 0;
    this.tail = start | 0;
  }

  /** Events in the ring. */
  get size(): number {
    return (this.tail - this.head) | 0;
  }

  /** Appends `event` enqueued at `time`. */
  push(event: Event, time: number): void {
    const tail = this.tail;
    if (((tail - this.head) | 0) > this.mask) this.grow();
    const slot = tail & this.mask;
    this.events[slot] = event;
    this.times[slot] = time;
    this.tail = (tail + 1) | 0;
  }

  /** Appends `event` enqueued at `time` with the order mark `mark` (marked rings only). */
  pushMarked(event: Event, time: number, mark: number): void {
    const tail = this.tail;
    if (((tail - this.head) | 0) > this.mask) this.grow();
    const slot = tail & this.mask;
    this.events[slot] = event;
    this.times[slot] = time;
    this.marks![slot] = mark;
    this.tail = (tail + 1) | 0;
  }

  /** Appends `event` enqueued at `time`, indexed under `key` (keyed rings only). */
  pushKeyed(event: Event, time: number, key: unknown): void {
    const tail = this.tail;
    if (((tail - this.head) | 0) > this.mask) this.grow();
    const slot = tail & this.mask;
    this.events[slot] = event;
    this.times[slot] = time;
    this.keys![slot] = key;
    this.index!.set(key, tail);
    this.tail = (tail + 1) | 0;
  }

  /** Removes and returns the head; the caller checks the ring is not empty first (and reads `headTime()` before, if it needs it). */
  shift(): Event {
    const head = this.head;
    const slot = head & this.mask;
    const event = this.events[slot]!;
    this.events[slot] = undefined;
    const keys = this.keys;
    if (keys !== undefined) {
      const key = keys[slot];
      if (key !== undefined) {
        keys[slot] = undefined;
        this.index!.delete(key);
      }
    }
    this.head = (head + 1) | 0;
    return event;
  }

  /**
   * Moves head events into `out` and their enqueue times into `outTimes` (from index 0), at most
   * `max`: the batch-sized form of `shift` for a drain, with the ring's fields read once. Stops after
   * an event whose `canBatch` is not true and, when `lookAhead`, before an event whose `canBatch`
   * is false (one that must travel alone). Returns how many events moved.
   */
  shiftInto(out: Event[], outTimes: Float64Array, max: number, lookAhead: boolean): number {
    const events = this.events;
    const times = this.times;
    const keys = this.keys;
    const mask = this.mask;
    let head = this.head;
    const limit = Math.min(max, (this.tail - head) | 0);
    let count = 0;
    while (count < limit) {
      const slot = head & mask;
      const event = events[slot]!;
      if (lookAhead && count > 0 && event.canBatch === false) break;
      events[slot] = undefined;
      if (keys !== undefined) {
        const key = keys[slot];
        if (key !== undefined) {
          keys[slot] = undefined;
          this.index!.delete(key);
        }
      }
      out[count] = event;
      outTimes[count++] = times[slot]!;
      head = (head + 1) | 0;
      if (event.canBatch === false) break;
    }
    this.head = head;
    return count;
  }

  /** The head event, or undefined when empty. */
  peek(): Event | undefined {
    return this.head === this.tail ? undefined : this.events[this.head & this.mask];
  }

  /** Order mark of the head (marked rings only); only meaningful when the ring is not empty. */
  headMark(): number {
    return this.marks![this.head & this.mask]!;
  }

  /** Enqueue time of the head; only meaningful when the ring is not empty. */
  headTime(): number {
    return this.times[this.head & this.mask]!;
  }

  /** Absolute position of the queued event indexed under `key`, or undefined. */
  positionOf(key: unknown): number | undefined {
    return this.index!.get(key);
  }

  /** Puts `event` in place of the event at absolute `position` (keeping its time and order); returns the replaced event. */
  replaceAt(position: number, event: Event): Event {
    const slot = position & this.mask;
    const replaced = this.events[slot]!;
    this.events[slot] = event;
    return replaced;
  }

  /** Doubles the storage; every event keeps its position, hence its slot `position & mask`. */
  private grow(): void {
    const oldMask = this.mask;
    const grown = (oldMask + 1) * 2;
    const mask = grown - 1;
    const events = new Array<Event | undefined>(grown);
    const times = new Float64Array(grown);
    const marks = this.marks === undefined ? undefined : new Int32Array(grown);
    const keys = this.keys === undefined ? undefined : new Array<unknown>(grown);
    for (let position = this.head; position !== this.tail; position = (position + 1) | 0) {
      const from = position & oldMask;
      const to = position & mask;
      events[to] = this.events[from];
      times[to] = this.times[from]!;
      if (marks !== undefined) marks[to] = this.marks![from]!;
      if (keys !== undefined) keys[to] = this.keys![from];
    }
    this.events = events;
    this.times = times;
    this.marks = marks;
    this.keys = keys;
    this.mask = mask;
  }
}
