// Runs a TypeScript entry point of this repository from its sources: workspace packages resolve to
// their sources (the "@apiary/source" export condition) and tsx compiles them, with the project's
// compiler options (tsconfig.base.json; the root tsconfig.json lists no files, so its options would
// apply to none, and the scheduler's NestJS decorators need experimentalDecorators). The bins use
// it when no compiled dist/ exists. TSX_TSCONFIG_PATH overrides the tsconfig.
import { register as registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Imports `entry` (a URL of a .ts file) from the sources. */
export async function runFromSources(entry) {
  const addSourceCondition =
    'export async function resolve(specifier, context, next) {' +
    '  return next(specifier, { ...context, conditions: [...(context.conditions ?? []), "@apiary/source"] });' +
    '}';
  registerHooks(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: process.env.TSX_TSCONFIG_PATH ?? fileURLToPath(new URL('../tsconfig.base.json', import.meta.url)) });
  await import(entry.href);
}
