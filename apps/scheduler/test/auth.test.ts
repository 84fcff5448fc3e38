import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './support/redis-server.js';
import { startScheduler, TOKEN, type RunningScheduler } from './support/scheduler.js';

let redis: RedisServer;
let s: RunningScheduler;
let open: RunningScheduler | undefined;

beforeAll(async () => {
  redis = await startRedis();
  s = await startScheduler({ redisUrl: redis.url });
});

afterAll(async () => {
  await s?.close();
  await open?.close();
  await redis?.dispose();
});

const missing = '00000000-0000-0000-0000-000000000000';

/** Every route, and what it answers with the token (never 401). */
const ROUTES: { method: string; path: string; body?: unknown; status: number }[] = [
  { method: 'POST', path: '/experiments', body: {}, status: 400 },
  { method: 'GET', path: '/experiments', status: 200 },
  { method: 'GET', path: `/experiments/${missing}`, status: 404 },
  { method: 'GET', path: `/experiments/${missing}/trials?offset=0&limit=10`, status: 404 },
  { method: 'GET', path: `/experiments/${missing}/best`, status: 404 },
  { method: 'POST', path: `/experiments/${missing}/stop`, status: 404 },
  { method: 'POST', path: `/experiments/${missing}/resume`, status: 404 },
  { method: 'DELETE', path: `/experiments/${missing}`, status: 404 },
  { method: 'GET', path: `/experiments/${missing}/export?format=csv`, status: 404 },
  { method: 'GET', path: '/health', status: 200 },
  { method: 'GET', path: '/ready', status: 200 },
  { method: 'GET', path: '/metrics', status: 200 },
  { method: 'GET', path: '/docs', status: 200 },
  { method: 'GET', path: '/docs-json', status: 200 },
  { method: 'GET', path: '/admin/queues', status: 200 },
  { method: 'GET', path: '/admin/queues/api/queues', status: 200 },
  { method: 'GET', path: '/no/such/route', status: 404 },
];

describe('authentication', () => {
  it.each(ROUTES)('$method $path answers 401 without the token', async ({ method, path, body }) => {
    const res = await s.call(path, { method, auth: false, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it.each(ROUTES)('$method $path answers $status with the token', async ({ method, path, body, status }) => {
    const res = await s.call(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    expect(res.status).toBe(status);
  });

  it.each([
    ['a wrong token', { Authorization: `Bearer ${TOKEN}x` }],
    ['a token prefix', { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['an empty bearer', { Authorization: 'Bearer ' }],
    ['basic auth', { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }],
    ['the token without the scheme', { Authorization: TOKEN }],
  ])('rejects %s', async (_what, headers) => {
    for (const path of ['/experiments', '/admin/queues/api/queues', '/docs-json', '/metrics']) {
      expect((await s.call(path, { auth: false, headers })).status).toBe(401);
    }
  });

  it('accepts ?token= and then a cookie, so the admin UI works in a browser', async () => {
    const first = await s.call(`/admin/queues?token=${encodeURIComponent(TOKEN)}`, { auth: false });
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^apiary_token=.+; Path=\/; HttpOnly; SameSite=Strict/);
    // The UI's own calls carry no token in the URL, only the cookie.
    const api = await s.call('/admin/queues/api/queues', { auth: false, headers: { Cookie: cookie.split(';')[0]! } });
    expect(api.status).toBe(200);
    expect((await s.call('/experiments?token=wrong', { auth: false })).status).toBe(401);
    expect((await s.call('/experiments', { auth: false, headers: { Cookie: 'apiary_token=wrong' } })).status).toBe(401);
    expect((await s.call(`/docs-json?token=${encodeURIComponent(TOKEN)}`, { auth: false })).status).toBe(200);
  });

  it('a header takes precedence over ?token= (a wrong header is not rescued by a right query)', async () => {
    const res = await s.call(`/experiments?token=${encodeURIComponent(TOKEN)}`, { auth: false, headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
  });

  it('APIARY_PUBLIC_HEALTH=true opens /health and /ready only', async () => {
    open = await startScheduler({ redisUrl: redis.url, env: { APIARY_PUBLIC_HEALTH: 'true' } });
    expect((await open.call('/health', { auth: false })).status).toBe(200);
    expect((await open.call('/ready', { auth: false })).status).toBe(200);
    for (const path of ['/health/x', '/healthz', '/experiments', '/metrics', '/docs', '/admin/queues']) {
      expect((await open.call(path, { auth: false })).status, path).toBe(401);
    }
  });
});
