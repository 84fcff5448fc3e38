import { defineConfig } from 'vitest/config';

// When VITEST_JSON names a file, a JSON report is written there too (CI reads its counts).
const jsonReport = process.env['VITEST_JSON'];

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources (see each package's "exports").
  resolve: { conditions: ['@apiary/source', 'module', 'browser', 'development|production'] },
  ssr: { resolve: { conditions: ['@apiary/source', 'module', 'node', 'development|production'], externalConditions: ['@apiary/source'] } },
  test: {
    include: ['libs/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tools/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
