/**
 * A minimal hot multicast for per-event streams (`drops$`). RxJS's `Subject.next` wraps every call
 * in an error-context closure and (in the ES5 build Node loads) walks its observers with an
 * iterator object, which made a flood's drop records cost more than the enqueue itself. This one
 * keeps its subscribers in a copy-on-write array and calls them with an index loop: nothing is
 * allocated per value. Subscribers are RxJS `Subscriber`s, so a throwing observer is reported as
 * RxJS reports it and never reaches the emitter.
 */
import { Observable, type Subscriber } from 'rxjs';

/** A hot stream with `next` / `complete`, for one producer inside the library. */
export class Multicast<T> {
  /** The stream; a subscription after `complete()` completes at once. */
  readonly observable: Observable<T>;
  private subscribers: readonly Subscriber<T>[] = [];
  private completed = false;

  constructor() {
    this.observable = new Observable<T>((subscriber) => {
      if (this.completed) {
        subscriber.complete();
        return undefined;
      }
      // Copy-on-write: an emission in progress keeps the list it started with.
      this.subscribers = [...this.subscribers, subscriber];
      return () => {
        this.subscribers = this.subscribers.filter((s) => s !== subscriber);
      };
    });
  }

  /** True while someone is subscribed. */
  get observed(): boolean {
    return this.subscribers.length > 0;
  }

  /** Emits `value` to every current subscriber. */
  next(value: T): void {
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) subscribers[i]!.next(value);
  }

  /** Completes every subscriber; later values are ignored. */
  complete(): void {
    if (this.completed) return;
    this.completed = true;
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) subscriber.complete();
  }
}
