import { z } from 'zod';

/** Environment the CLI reads (flags win over it); validated once at start-up. */
const EnvSchema = z.object({
  APIARY_API_URL: z.string().url().default('http://localhost:8080'),
  APIARY_TOKEN: z.string().min(1).optional(),
  REDIS_URL: z.string().min(1).optional(),
});

export type CliEnvironment = z.infer<typeof EnvSchema>;

export function readCliEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const r = EnvSchema.safeParse({ APIARY_API_URL: env['APIARY_API_URL'] || undefined, APIARY_TOKEN: env['APIARY_TOKEN'] || undefined, REDIS_URL: env['REDIS_URL'] || undefined });
  if (!r.success) throw new Error(`invalid environment: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
