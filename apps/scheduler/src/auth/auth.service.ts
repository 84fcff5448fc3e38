import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { SchedulerConfig } from '../scheduler.config.js';
import { SCHEDULER_CONFIG } from '../scheduler.tokens.js';

/** The parts of an HTTP request the token check reads. */
export interface AuthRequest {
  url?: string | undefined;
  originalUrl?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** Name of the cookie set after a valid `?token=`, so a browser UI's own requests authenticate too. */
export const TOKEN_COOKIE = 'apiary_token';
const PROBE_PATHS = new Set(['/health', '/ready']);

/**
 * The bearer-token policy: every request needs `Authorization: Bearer <token>` (or `?token=`, or
 * the cookie a valid `?token=` sets), except the probes when APIARY_PUBLIC_HEALTH=true.
 */
@Injectable()
export class AuthService {
  private readonly expected: Buffer | null;

  constructor(@Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig) {
    this.expected = config.auth.token === null ? null : digest(config.auth.token);
  }

  /** Whether the request may go ahead. */
  allows(req: AuthRequest): boolean {
    if (!this.config.auth.enabled) return true;
    if (this.config.auth.publicHealth && PROBE_PATHS.has(pathOf(req))) return true;
    return this.matches(this.presented(req).token);
  }

  /** The token a request presents and where it was found. */
  presented(req: AuthRequest): { token: string | null; from: 'header' | 'query' | 'cookie' | null } {
    const auth = header(req, 'authorization');
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      return { token: m?.[1] ?? null, from: 'header' };
    }
    const query = new URL(req.originalUrl ?? req.url ?? '/', 'http://localhost').searchParams.get('token');
    if (query !== null) return { token: query, from: 'query' };
    const cookie = cookieValue(header(req, 'cookie'), TOKEN_COOKIE);
    return cookie === null ? { token: null, from: null } : { token: cookie, from: 'cookie' };
  }

  /** Constant-time comparison (of SHA-256 digests, so lengths leak nothing either). */
  matches(token: string | null): boolean {
    if (this.expected === null || token === null) return false;
    return timingSafeEqual(digest(token), this.expected);
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function header(req: AuthRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The request's path without the query string. */
export function pathOf(req: AuthRequest): string {
  const url = req.originalUrl ?? req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function cookieValue(cookieHeader: string | undefined, name: string): string | null {
  if (cookieHeader === undefined) return null;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}
