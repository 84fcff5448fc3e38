import { describe, expect, it } from 'vitest';
import { JsonLogger } from '../src/logging/json-logger.service.js';
import { throttle } from '../src/logging/throttle.js';

describe('JsonLogger', () => {
  function capture(level: 'info' | 'debug' | 'warn' = 'info') {
    const lines: Record<string, unknown>[] = [];
    return { lines, logger: new JsonLogger(level, (l) => lines.push(JSON.parse(l) as Record<string, unknown>)) };
  }

  it('writes one JSON object per line with time, level, msg, context and fields', () => {
    const { lines, logger } = capture();
    logger.log('hello', 'Ctx');
    logger.warn({ msg: 'queue error', queue: 'trials.x', level: 'nope' }, 'QueueAdmin');
    logger.error('boom', 'Error: boom\n    at here', 'Ctx');
    expect(lines[0]).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', msg: 'hello', context: 'Ctx' });
    expect(lines[1]).toMatchObject({ level: 'warn', msg: 'queue error', queue: 'trials.x', context: 'QueueAdmin' });
    expect(lines[2]).toMatchObject({ level: 'error', msg: 'boom', stack: 'Error: boom\n    at here', context: 'Ctx' });
  });

  it('drops levels below LOG_LEVEL', () => {
    const { lines, logger } = capture('warn');
    logger.log('no');
    logger.debug('no');
    logger.verbose('no');
    logger.warn('yes');
    logger.fatal('yes');
    expect(lines.map((l) => l['level'])).toEqual(['warn', 'fatal']);
  });

  it('survives values JSON cannot write', () => {
    const { lines, logger } = capture();
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    logger.log({ msg: 'cyclic', loop, n: 10n });
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'cyclic', note: 'fields not serialisable' });
  });
});

describe('throttle', () => {
  it('passes one call per key and interval, and everything after reset', () => {
    const seen: string[] = [];
    const log = throttle(60_000, (m: string) => seen.push(m), (m) => m);
    log('a');
    log('a');
    log('b');
    log('a');
    log.reset();
    log('a');
    expect(seen).toEqual(['a', 'b', 'a']);
  });
});
