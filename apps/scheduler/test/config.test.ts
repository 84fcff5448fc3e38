import { ValidationError } from '@apiary/contracts';
import { describe, expect, it } from 'vitest';
import { loadSchedulerConfig } from '../src/scheduler.config.js';

const TOKEN = 'abcdefghijklmnop-0123';

function problemsOf(env: Record<string, string>): { path: string; message: string }[] {
  try {
    loadSchedulerConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return [...(e as ValidationError).problems];
  }
  throw new Error('expected a ValidationError');
}

describe('scheduler.config', () => {
  it('fills in the defaults', () => {
    expect(loadSchedulerConfig({ APIARY_TOKEN: TOKEN })).toEqual({
      port: 8080,
      host: '0.0.0.0',
      redis: { url: 'redis://127.0.0.1:6379', prefix: 'apiary:', queuePrefix: '{apiary}' },
      auth: { enabled: true, token: TOKEN, publicHealth: false },
      trialPacking: true,
      logLevel: 'info',
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadSchedulerConfig({ APIARY_TOKEN: TOKEN, PORT: '', LOG_LEVEL: '' })).toMatchObject({ port: 8080, logLevel: 'info' });
  });

  it('reads every variable', () => {
    const c = loadSchedulerConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      REDIS_URL: 'rediss://user:pw@redis.example:6380/2',
      APIARY_REDIS_PREFIX: 'x:',
      APIARY_QUEUE_PREFIX: '{x}',
      APIARY_TOKEN: TOKEN,
      APIARY_PUBLIC_HEALTH: 'true',
      APIARY_TRIAL_PACKING: 'false',
      LOG_LEVEL: 'debug',
    });
    expect(c).toEqual({
      port: 9000,
      host: '127.0.0.1',
      redis: { url: 'rediss://user:pw@redis.example:6380/2', prefix: 'x:', queuePrefix: '{x}' },
      auth: { enabled: true, token: TOKEN, publicHealth: true },
      trialPacking: false,
      logLevel: 'debug',
    });
  });

  it('requires a token unless authentication is disabled', () => {
    expect(problemsOf({})).toEqual([{ path: 'APIARY_TOKEN', message: 'is required (or set APIARY_AUTH=disabled to run without authentication)' }]);
    expect(loadSchedulerConfig({ APIARY_AUTH: 'disabled' }).auth).toEqual({ enabled: false, token: null, publicHealth: false });
  });

  it.each([
    [{ APIARY_TOKEN: 'short' }, 'APIARY_TOKEN', /at least 16/],
    [{ APIARY_TOKEN: TOKEN, PORT: 'eighty' }, 'PORT', /number/],
    [{ APIARY_TOKEN: TOKEN, PORT: '70000' }, 'PORT', /65535/],
    [{ APIARY_TOKEN: TOKEN, REDIS_URL: 'localhost:6379' }, 'REDIS_URL', /redis:\/\//],
    [{ APIARY_TOKEN: TOKEN, LOG_LEVEL: 'chatty' }, 'LOG_LEVEL', /fatal.*verbose/],
    [{ APIARY_TOKEN: TOKEN, APIARY_AUTH: 'off' }, 'APIARY_AUTH', /enabled.*disabled/],
    [{ APIARY_TOKEN: TOKEN, APIARY_PUBLIC_HEALTH: 'yes' }, 'APIARY_PUBLIC_HEALTH', /true.*false/],
    [{ APIARY_TOKEN: TOKEN, APIARY_TRIAL_PACKING: 'off' }, 'APIARY_TRIAL_PACKING', /true.*false/],
  ])('rejects %j naming the variable', (env, path, reason) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(path);
    expect(problems[0]!.message).toMatch(reason);
  });

  it('says every problem in one message', () => {
    try {
      loadSchedulerConfig({ PORT: 'x', LOG_LEVEL: 'y' });
    } catch (e) {
      expect((e as Error).message).toMatch(/^invalid scheduler environment:\n/);
      expect((e as Error).message).toMatch(/PORT: /);
      expect((e as Error).message).toMatch(/LOG_LEVEL: /);
      expect((e as Error).message).toMatch(/APIARY_TOKEN: is required/);
    }
  });
});
