/** CLI: `npm run lint:boundaries` — prints every module-boundary violation and exits 1 if any. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { checkBoundaries } from './boundaries.js';

const root = resolve(fileURLToPath(import.meta.url), '..', '..', '..');
const violations = checkBoundaries(root);
for (const v of violations) console.error(`${v.rule}: ${v.file}: ${v.detail}`);
if (violations.length > 0) {
  console.error(`${violations.length} module-boundary violation(s)`);
  process.exit(1);
}
console.log('module boundaries: ok');
