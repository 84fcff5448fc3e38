/** Options of {@link EventChannel}. */
export interface EventChannelOptions<T> {
  /** Deliveries of one item before giving up on it. @defaultValue 5 */
  attempts?: number;
  /** Delay before the second delivery; doubled after each failure. @defaultValue 100 */
  retryDelayMs?: number;
  /** Called with an item the handler failed on `attempts` times (it is then dropped). */
  onError(error: unknown, item: T): void;
}

/**
 * An in-process, ordered, at-least-once delivery queue: items pushed before `subscribe` are kept
 * until a handler arrives, then delivered one at a time in order; a handler that throws gets the
 * same item again after a backoff (like a BullMQ job with attempts).
 */
export class EventChannel<T> {
  private readonly buffer: T[] = [];
  private handler: ((item: T) => Promise<void> | void) | undefined;
  private delivering: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: EventChannelOptions<T>) {}

  /** Queues an item for delivery (ignored once closed). */
  push(item: T): void {
    if (this.closed) return;
    this.buffer.push(item);
    this.pump();
  }

  /** Sets the handler (once) and starts delivering. */
  subscribe(handler: (item: T) => Promise<void> | void): void {
    if (this.handler) throw new Error('already subscribed');
    this.handler = handler;
    this.pump();
  }

  /** Resolves once every item pushed so far has been delivered (or given up on). */
  async drained(): Promise<void> {
    while (this.delivering) await this.delivering;
  }

  /** Stops accepting items; resolves after the delivery in progress and the buffered items. */
  async close(): Promise<void> {
    await this.drained();
    this.closed = true;
  }

  private pump(): void {
    if (this.delivering || !this.handler || this.buffer.length === 0) return;
    const handler = this.handler;
    this.delivering = (async () => {
      for (let item = this.buffer.shift(); item !== undefined; item = this.buffer.shift()) await this.deliver(handler, item);
    })().finally(() => {
      this.delivering = undefined;
      this.pump();
    });
  }

  private async deliver(handler: (item: T) => Promise<void> | void, item: T): Promise<void> {
    const attempts = this.options.attempts ?? 5;
    let delay = this.options.retryDelayMs ?? 100;
    for (let attempt = 1; ; attempt++) {
      try {
        await handler(item);
        return;
      } catch (e) {
        if (attempt >= attempts) return this.options.onError(e, item);
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
    }
  }
}
