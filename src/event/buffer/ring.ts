/**
 * The FIFO storage under every lane buffer core: a growable power-of-two ring of events with a
 * parallel typed array of enqueue times, an optional array of order marks and an optional key
 * index for collapsing.
 */
import type { Event } from '../contracts.js';

const INITIAL_SLOTS = 16;

/**
 * A FIFO ring of events that grows by doubling (so a 50 000-slot lane costs nothing until it
 * fills) and never shifts an array. Slots are a power of two, so wrapping is a mask. The owner
 * bounds how many events it pushes; the ring only grows.
 *
 * Positions are absolute: the n-th event ever pushed has position n, whatever slot it sits in, so
 * a position stays valid across growth and wrap-around. Keyed rings keep a `Map` from collapse
 * key to position; the head's key leaves the map when the head leaves the ring. Marked rings
 * store one number per event (the owner's order mark, e.g. "how many events of the other ring
 * arrived before this one").
 */
export class EventRing {
  private events: (Event | undefined)[];
  private times: Float64Array;
  private marks: Float64Array | undefined;
  private keys: (string | undefined)[] | undefined;
  private readonly index: Map<string, number> | undefined;
  private mask: number;
  private head = 0;
  /** Absolute position of the head: how many events ever left the ring. */
  headPosition = 0;
  /** Events in the ring. */
  size = 0;

  constructor(keyed: boolean, marked: boolean) {
    this.events = new Array<Event | undefined>(INITIAL_SLOTS);
    this.times = new Float64Array(INITIAL_SLOTS);
    this.marks = marked ? new Float64Array(INITIAL_SLOTS) : undefined;
    this.keys = keyed ? new Array<string | undefined>(INITIAL_SLOTS) : undefined;
    this.index = keyed ? new Map() : undefined;
    this.mask = INITIAL_SLOTS - 1;
  }

  /** Absolute position the next pushed event will get. */
  get tailPosition(): number {
    return this.headPosition + this.size;
  }

  /** Appends `event` enqueued at `time`. */
  push(event: Event, time: number): void {
    if (this.size > this.mask) this.grow();
    const slot = (this.head + this.size) & this.mask;
    this.events[slot] = event;
    this.times[slot] = time;
    this.size++;
  }

  /** Appends `event` enqueued at `time` with the order mark `mark` (marked rings only). */
  pushMarked(event: Event, time: number, mark: number): void {
    if (this.size > this.mask) this.grow();
    const slot = (this.head + this.size) & this.mask;
    this.events[slot] = event;
    this.times[slot] = time;
    this.marks![slot] = mark;
    this.size++;
  }

  /** Appends `event` enqueued at `time`, indexed under `key` (keyed rings only). */
  pushKeyed(event: Event, time: number, key: string): void {
    if (this.size > this.mask) this.grow();
    const slot = (this.head + this.size) & this.mask;
    this.events[slot] = event;
    this.times[slot] = time;
    this.keys![slot] = key;
    this.index!.set(key, this.headPosition + this.size);
    this.size++;
  }

  /** Removes and returns the head; the caller checks `size > 0` first (and reads `headTime()` before, if it needs it). */
  shift(): Event {
    const slot = this.head;
    const event = this.events[slot]!;
    this.events[slot] = undefined;
    if (this.keys !== undefined) {
      const key = this.keys[slot];
      if (key !== undefined) {
        this.keys[slot] = undefined;
        this.index!.delete(key);
      }
    }
    this.head = (slot + 1) & this.mask;
    this.headPosition++;
    this.size--;
    return event;
  }

  /** The head event, or undefined when empty. */
  peek(): Event | undefined {
    return this.size === 0 ? undefined : this.events[this.head];
  }

  /** Order mark of the head (marked rings only); only meaningful when `size > 0`. */
  headMark(): number {
    return this.marks![this.head]!;
  }

  /** Enqueue time of the head; only meaningful when `size > 0`. */
  headTime(): number {
    return this.times[this.head]!;
  }

  /** Absolute position of the queued event indexed under `key`, or -1. */
  positionOf(key: string): number {
    return this.index!.get(key) ?? -1;
  }

  /** Puts `event` in place of the event at absolute `position` (keeping its time and order); returns the replaced event. */
  replaceAt(position: number, event: Event): Event {
    const slot = (this.head + (position - this.headPosition)) & this.mask;
    const replaced = this.events[slot]!;
    this.events[slot] = event;
    return replaced;
  }

  /** Doubles the storage, unrolling the ring to start at slot 0. */
  private grow(): void {
    const length = this.mask + 1;
    const grown = length * 2;
    const events = new Array<Event | undefined>(grown);
    const times = new Float64Array(grown);
    const marks = this.marks === undefined ? undefined : new Float64Array(grown);
    const keys = this.keys === undefined ? undefined : new Array<string | undefined>(grown);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) & this.mask;
      events[i] = this.events[from];
      times[i] = this.times[from]!;
      if (marks !== undefined) marks[i] = this.marks![from]!;
      if (keys !== undefined) keys[i] = this.keys![from];
    }
    this.events = events;
    this.times = times;
    this.marks = marks;
    this.keys = keys;
    this.mask = grown - 1;
    this.head = 0;
  }
}
