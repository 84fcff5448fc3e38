import type { TrialEvent } from '@apiary/contracts';
import type { Redis } from 'ioredis';
import { messageOf } from './errors.js';
import { EVENT_GROUP, eventStreamKey } from './queue-names.js';
import { openRedis, type RedisConnection } from './redis-connection.js';

/** The stream entry field that holds the event's JSON. */
export const EVENT_FIELD = 'event';

const EVENT_KINDS = new Set(['started', 'intermediate', 'completed', 'failed']);

/** Options of {@link EventStreamConsumer}. */
export interface EventStreamConsumerOptions {
  connection: RedisConnection;
  /** Key prefix (the queues'). */
  prefix: string;
  /** This consumer's name in the group; unique per process. */
  consumer: string;
  /** Entries read (and handed to the handler) at once, at most. @defaultValue 256 */
  batchSize?: number;
  /** How long one read waits for new entries. @defaultValue 1000 */
  blockMs?: number;
  /**
   * How long an entry may stay unacknowledged with the consumer that read it before another
   * consumer takes it over (its consumer died). A batch being handled keeps its entries claimed.
   * @defaultValue 5000
   */
  claimIdleMs?: number;
  /** Attempts per event, one at a time, after its batch failed; then it waits for a reclaim. @defaultValue 5 */
  attempts?: number;
  /** Delay before the second single attempt; doubled after each failure. @defaultValue 500 */
  retryDelayMs?: number;
  /** How often entries every consumer is done with are trimmed from the stream. @defaultValue 1000 */
  trimIntervalMs?: number;
  /** Consumers idle this long with nothing pending are removed from the group. @defaultValue 3600000 (1 h) */
  consumerExpiryMs?: number;
  onError(error: Error): void;
}

/**
 * KEYS: stream. ARGV: group, consumer expiry (ms). Trims the entries the group is done with:
 * those before its oldest pending entry, or, with none pending, before its last delivered entry.
 * Removes consumers idle past the expiry with nothing pending. Returns the entries trimmed.
 */
const TRIM_ACKNOWLEDGED = `
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local last
for _, g in ipairs(groups) do
  local fields = {}
  for i = 1, #g, 2 do fields[g[i]] = g[i + 1] end
  if fields['name'] == ARGV[1] then last = fields['last-delivered-id'] end
end
if not last then return 0 end
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local fields = {}
  for i = 1, #c, 2 do fields[c[i]] = c[i + 1] end
  if fields['pending'] == 0 and fields['idle'] > tonumber(ARGV[2]) then redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name']) end
end
local pending = redis.call('XPENDING', KEYS[1], ARGV[1])
local minid = last
if pending[1] > 0 then minid = pending[2] end
return redis.call('XTRIM', KEYS[1], 'MINID', minid)
`;

type Entry = [id: string, fields: string[]];

/**
 * The schedulers' side of the event stream: a member of the consumer group that reads up to
 * `batchSize` entries per XREADGROUP (blocking while there are none), hands their events to the
 * handler in one call and acknowledges them once it resolves. Nothing is lost: entries left
 * unacknowledged by a consumer that died are taken over after `claimIdleMs` (XAUTOCLAIM); a batch
 * whose handler throws is retried one event at a time with backoff, and an event that still fails
 * stays pending, to be retried at the next reclaim. Entries every consumer is done with are
 * trimmed (XTRIM MINID), so the stream holds only what is in flight.
 *
 * Design note: reads use a connection of their own (a blocking read holds it); acknowledgements,
 * reclaims and trims go on a second one, and an acknowledgement is not awaited before the next
 * read, so a batch costs one round trip on the critical path.
 */
export class EventStreamConsumer {
  private readonly key: string;
  private readonly reader: Redis;
  private readonly commands: Redis;
  private readonly o: Required<Omit<EventStreamConsumerOptions, 'connection' | 'prefix' | 'consumer' | 'onError'>>;
  private loop: Promise<void> | undefined;
  private acking: Promise<unknown> = Promise.resolve();
  private claimCursor = '0-0';
  private closed = false;

  constructor(private readonly options: EventStreamConsumerOptions) {
    this.key = eventStreamKey(options.prefix);
    this.reader = openRedis(options.connection);
    this.commands = openRedis(options.connection);
    this.o = {
      batchSize: options.batchSize ?? 256,
      blockMs: options.blockMs ?? 1000,
      claimIdleMs: options.claimIdleMs ?? 5000,
      attempts: options.attempts ?? 5,
      retryDelayMs: options.retryDelayMs ?? 500,
      trimIntervalMs: options.trimIntervalMs ?? 1000,
      consumerExpiryMs: options.consumerExpiryMs ?? 3_600_000,
    };
    for (const [name, v] of Object.entries(this.o)) if (!Number.isInteger(v) || v < (name === 'attempts' || name === 'batchSize' ? 1 : 0)) throw new RangeError(`${name} must be a non-negative integer (batchSize and attempts >= 1), got ${v}`);
    for (const r of [this.reader, this.commands]) r.on('error', () => undefined); // reported where a command fails
  }

  /** Joins the group (creating it, from the stream's start, if needed) and starts delivering. */
  async start(handler: (events: TrialEvent[]) => Promise<void>): Promise<void> {
    if (this.loop) throw new Error('EventStreamConsumer.start: already started');
    await this.ensureGroup();
    this.loop = this.run(handler);
  }

  /** Stops reading; waits for the batch being handled and its acknowledgement. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reader.disconnect(); // ends a blocking read at once
    await this.loop;
    await this.acking;
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  private async run(handler: (events: TrialEvent[]) => Promise<void>): Promise<void> {
    let lastClaim = 0;
    let lastTrim = Date.now();
    let failures = 0;
    while (!this.closed) {
      try {
        const now = Date.now();
        if (now - lastClaim >= this.o.claimIdleMs / 2) {
          lastClaim = now;
          const claimed = await this.reclaim();
          if (claimed.length > 0) await this.deliver(handler, claimed);
        }
        const read = await this.read();
        if (read.length > 0) await this.deliver(handler, read);
        if (Date.now() - lastTrim >= this.o.trimIntervalMs) {
          lastTrim = Date.now();
          await this.acking;
          await this.commands.eval(TRIM_ACKNOWLEDGED, 1, this.key, EVENT_GROUP, this.o.consumerExpiryMs);
        }
        failures = 0;
      } catch (e) {
        if (this.closed) break;
        if (messageOf(e).includes('NOGROUP')) await this.ensureGroup().catch(() => undefined);
        else this.options.onError(new Error(`event stream: ${messageOf(e)}`));
        await sleep(Math.min(5000, 100 * 2 ** failures++));
      }
    }
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.commands.xgroup('CREATE', this.key, EVENT_GROUP, '0', 'MKSTREAM');
    } catch (e) {
      if (!messageOf(e).includes('BUSYGROUP')) throw e;
    }
  }

  /** New entries, waiting up to blockMs for some. */
  private async read(): Promise<Entry[]> {
    const reply = (await this.reader.xreadgroup('GROUP', EVENT_GROUP, this.options.consumer, 'COUNT', this.o.batchSize, 'BLOCK', this.o.blockMs, 'STREAMS', this.key, '>')) as [string, Entry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  /** Entries another consumer (or this one, for events that kept failing) left unacknowledged too long. */
  private async reclaim(): Promise<Entry[]> {
    const [next, entries] = (await this.commands.xautoclaim(this.key, EVENT_GROUP, this.options.consumer, this.o.claimIdleMs, this.claimCursor, 'COUNT', this.o.batchSize)) as [string, Entry[], ...unknown[]];
    this.claimCursor = next;
    return entries.filter((e): e is Entry => Array.isArray(e) && Array.isArray(e[1]));
  }

  private async deliver(handler: (events: TrialEvent[]) => Promise<void>, entries: readonly Entry[]): Promise<void> {
    const ids: string[] = [];
    const events: TrialEvent[] = [];
    const garbled: string[] = [];
    for (const [id, fields] of entries) {
      const event = parseEntry(fields);
      if (event) {
        ids.push(id);
        events.push(event);
      } else garbled.push(id);
    }
    if (garbled.length > 0) {
      this.options.onError(new Error(`event stream: entries ${garbled.join(', ')} hold no TrialEvent; dropped`));
      this.ack(garbled);
    }
    if (events.length === 0) return;
    // Keep the batch's entries claimed while it is handled, so that no other consumer takes them over.
    const renew = setInterval(() => void this.commands.xclaim(this.key, EVENT_GROUP, this.options.consumer, 0, ...ids, 'JUSTID').catch(() => undefined), Math.max(100, this.o.claimIdleMs / 2));
    try {
      try {
        await handler(events);
        this.ack(ids);
        return;
      } catch {
        // Retried below one event at a time, so that one event that keeps failing holds up no other.
      }
      for (const [i, event] of events.entries()) {
        let delay = this.o.retryDelayMs;
        for (let attempt = 1; !this.closed; attempt++) {
          try {
            await handler([event]);
            this.ack([ids[i]!]);
            break;
          } catch (e) {
            if (attempt >= this.o.attempts) {
              this.options.onError(new Error(`event ${ids[i]!} (${event.kind} of trial ${event.trialId}) was not handled: ${messageOf(e)}; it is retried after ${this.o.claimIdleMs} ms`));
              break;
            }
            await sleep(delay);
            delay *= 2;
          }
        }
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** Acknowledges entries without waiting (an acknowledgement lost to a crash means a redelivery). */
  private ack(ids: readonly string[]): void {
    const sent = this.commands.xack(this.key, EVENT_GROUP, ...ids).catch((e: unknown) => {
      if (!this.closed) this.options.onError(new Error(`event stream: could not acknowledge ${ids.length} entries (they will be delivered again): ${messageOf(e)}`));
    });
    this.acking = Promise.all([this.acking, sent]);
  }
}

/** The TrialEvent of a stream entry's fields, or null. */
export function parseEntry(fields: readonly string[]): TrialEvent | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== EVENT_FIELD) continue;
    try {
      const data = JSON.parse(fields[i + 1]!) as unknown;
      return isTrialEvent(data) ? data : null;
    } catch {
      return null;
    }
  }
  return null;
}

function isTrialEvent(data: unknown): data is TrialEvent {
  if (data === null || typeof data !== 'object') return false;
  const d = data as Record<string, unknown>;
  return typeof d['kind'] === 'string' && EVENT_KINDS.has(d['kind']) && typeof d['trialId'] === 'string' && typeof d['experimentId'] === 'string';
}

/** The event stream's backlog: entries not yet read by any scheduler, and entries read but not yet acknowledged. */
export async function eventStreamDepth(redis: Redis, prefix: string): Promise<{ waiting: number; pending: number }> {
  try {
    const groups = (await redis.xinfo('GROUPS', eventStreamKey(prefix))) as unknown[][];
    for (const g of groups) {
      const fields = new Map<string, unknown>();
      for (let i = 0; i + 1 < g.length; i += 2) fields.set(String(g[i]), g[i + 1]);
      if (fields.get('name') === EVENT_GROUP) return { waiting: Number(fields.get('lag') ?? 0), pending: Number(fields.get('pending') ?? 0) };
    }
    return { waiting: await redis.xlen(eventStreamKey(prefix)), pending: 0 };
  } catch (e) {
    if (/no such key/i.test(messageOf(e))) return { waiting: 0, pending: 0 };
    throw e;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
