import { type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { AuthGuard } from '../src/auth/auth.guard.js';
import { AuthService, type AuthRequest } from '../src/auth/auth.service.js';
import { loadSchedulerConfig } from '../src/scheduler.config.js';

const TOKEN = 'abcdefghijklmnop-0123';

describe('AuthService', () => {
  const auth = (env: Record<string, string> = {}) => new AuthService(loadSchedulerConfig({ APIARY_TOKEN: TOKEN, ...env }));
  const req = (url: string, headers: Record<string, string> = {}): AuthRequest => ({ url, headers });

  it('accepts the token from the header, the query or the cookie', () => {
    const a = auth();
    expect(a.allows(req('/experiments', { authorization: `Bearer ${TOKEN}` }))).toBe(true);
    expect(a.allows(req('/experiments', { authorization: `bearer   ${TOKEN}` }))).toBe(true);
    expect(a.allows(req(`/experiments?x=1&token=${TOKEN}`))).toBe(true);
    expect(a.allows(req('/experiments', { cookie: `a=b; apiary_token=${TOKEN}` }))).toBe(true);
  });

  it('rejects anything else', () => {
    const a = auth();
    expect(a.allows(req('/experiments'))).toBe(false);
    expect(a.allows(req('/health'))).toBe(false);
    expect(a.allows(req('/experiments', { authorization: `Bearer ${TOKEN} extra` }))).toBe(false);
    expect(a.allows(req('/experiments', { authorization: `Token ${TOKEN}` }))).toBe(false);
    expect(a.allows(req('/experiments?token='))).toBe(false);
    expect(a.matches('')).toBe(false);
    expect(a.matches(TOKEN + TOKEN)).toBe(false);
  });

  it('opens only the probes with APIARY_PUBLIC_HEALTH=true, and everything with APIARY_AUTH=disabled', () => {
    const a = auth({ APIARY_PUBLIC_HEALTH: 'true' });
    expect(a.allows(req('/health'))).toBe(true);
    expect(a.allows(req('/ready/?x=1'))).toBe(true);
    expect(a.allows(req('/health/../experiments'))).toBe(false);
    expect(a.allows(req('/experiments'))).toBe(false);
    expect(new AuthService(loadSchedulerConfig({ APIARY_AUTH: 'disabled' })).allows(req('/experiments'))).toBe(true);
  });
});

describe('AuthGuard', () => {
  function context(req: AuthRequest): { ctx: ExecutionContext; headers: Record<string, string> } {
    const headers: Record<string, string> = {};
    const res = { setHeader: (k: string, v: string) => void (headers[k] = v) };
    const ctx = { getType: () => 'http', switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ExecutionContext;
    return { ctx, headers };
  }
  const guard = new AuthGuard(new AuthService(loadSchedulerConfig({ APIARY_TOKEN: TOKEN })));

  it('lets a request with the token through', () => {
    expect(guard.canActivate(context({ url: '/experiments', headers: { authorization: `Bearer ${TOKEN}` } }).ctx)).toBe(true);
  });

  it('answers 401 with a WWW-Authenticate challenge otherwise', () => {
    const { ctx, headers } = context({ url: '/experiments', headers: {} });
    expect(() => guard.canActivate(ctx)).toThrow(UnauthorizedException);
    expect(headers['WWW-Authenticate']).toBe('Bearer realm="apiary"');
  });
});
