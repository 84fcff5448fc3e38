import { parseOrThrow, TRIAL_STATUSES } from '@apiary/contracts';
import { z } from 'zod';

/** Largest page GET /experiments/:id/trials returns. */
export const MAX_TRIAL_PAGE = 1000;

const listOf = (v: unknown): unknown => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim().toUpperCase()));

/** `?offset&limit&status` of GET /experiments/:id/trials; `status` may repeat or list states with commas. */
const TrialsQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_TRIAL_PAGE).default(100),
  status: z.preprocess(listOf, z.array(z.enum(TRIAL_STATUSES)).min(1)).optional(),
});

const ExportQuerySchema = z.object({ format: z.enum(['json', 'csv']).default('json') });

const StopBodySchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).default({});

/** @throws ValidationError naming the bad query parameter. */
export function parseTrialsQuery(query: unknown): z.output<typeof TrialsQuerySchema> {
  return parseOrThrow(TrialsQuerySchema, query ?? {}, 'trials query');
}

/** @throws ValidationError */
export function parseExportQuery(query: unknown): z.output<typeof ExportQuerySchema> {
  return parseOrThrow(ExportQuerySchema, query ?? {}, 'export query');
}

/** @throws ValidationError */
export function parseStopBody(body: unknown): z.output<typeof StopBodySchema> {
  return parseOrThrow(StopBodySchema, body ?? undefined, 'stop request');
}
