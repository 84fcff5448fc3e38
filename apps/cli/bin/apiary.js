#!/usr/bin/env node
// apiary: runs the compiled CLI (dist/) when built, else the TypeScript sources via tsx,
// with workspace packages resolved to their sources (the "@apiary/source" export condition).
import { existsSync } from 'node:fs';
import { register as registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const addSourceCondition =
    'export async function resolve(specifier, context, next) {' +
    '  return next(specifier, { ...context, conditions: [...(context.conditions ?? []), "@apiary/source"] });' +
    '}';
  registerHooks(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`);
  const { register } = await import('tsx/esm/api');
  // tsx reads ./tsconfig.json of the working directory; the root one lists no files, so its
  // options would apply to none, and the scheduler's NestJS decorators need experimentalDecorators.
  register({ tsconfig: process.env.TSX_TSCONFIG_PATH ?? fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url)) });
  await import(new URL('../src/main.ts', import.meta.url).href);
}
