import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkBoundaries } from './boundaries.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'apiary-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('module boundaries', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('the repository itself has no violations', () => {
    expect(checkBoundaries(repoRoot)).toEqual([]);
  });

  it('flags Node modules, frameworks and Node globals in bo-core, but not in its tests', () => {
    const root = tree({
      'libs/bo-core/package.json': '{"name":"@apiary/bo-core"}',
      'libs/bo-core/src/index.ts': "export * from './a.js';",
      'libs/bo-core/src/a.ts': "import { readFileSync } from 'node:fs';\nimport { Injectable } from '@nestjs/common';\nexport const x = process.env.X;",
      'libs/bo-core/test/a.test.ts': "import { readFileSync } from 'node:fs';",
    });
    roots.push(root);
    const rules = checkBoundaries(root).map((v) => `${v.rule}:${v.file}`);
    expect(rules).toContain('bo-core-import:libs/bo-core/src/a.ts');
    expect(rules.filter((r) => r.startsWith('bo-core-import')).length).toBe(2);
    expect(rules).toContain('bo-core-global:libs/bo-core/src/a.ts');
    expect(rules.some((r) => r.includes('test/a.test.ts'))).toBe(false);
  });

  it('flags libraries importing apps, relative reach-ins, and cycles', () => {
    const root = tree({
      'apps/scheduler/package.json': '{"name":"@apiary/scheduler"}',
      'apps/scheduler/src/index.ts': 'export const s = 1;',
      'libs/engine/package.json': '{"name":"@apiary/engine"}',
      'libs/engine/src/index.ts': "import { s } from '@apiary/scheduler';\nimport { t } from '../../contracts/src/t.js';\nexport * from './p.js';",
      'libs/engine/src/p.ts': "import { q } from './q.js';\nexport const p = q;",
      'libs/engine/src/q.ts': "import { p } from './p.js';\nexport const q = 1;",
      'libs/contracts/package.json': '{"name":"@apiary/contracts"}',
      'libs/contracts/src/t.ts': 'export const t = 1;',
    });
    roots.push(root);
    const rules = checkBoundaries(root).map((v) => v.rule);
    expect(rules).toContain('lib-imports-app');
    expect(rules).toContain('cross-project-relative');
    expect(rules).toContain('cycle');
  });
});
