#!/usr/bin/env node
// apiary-worker: runs the compiled worker (dist/) when built, else the TypeScript sources via tsx
// (tools/source-bootstrap.mjs).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/main.js', import.meta.url);
if (existsSync(dist)) {
  await import(dist.href);
} else {
  const { runFromSources } = await import(new URL('../../../tools/source-bootstrap.mjs', import.meta.url).href);
  await runFromSources(new URL('../src/main.ts', import.meta.url));
}
