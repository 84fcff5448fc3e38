/**
 * Module-boundary rules of the monorepo, checked over the source import graph:
 *
 * 1. `libs/bo-core/src` imports only its own files and the packages in BO_CORE_ALLOWED: no
 *    framework, no I/O, no Node-only module (it must run in a browser), and it uses no Node
 *    globals (`process`, `Buffer`, `require`, `__dirname`).
 * 2. Libraries never import applications.
 * 3. A library or app reaches another project only through its package name (`@apiary/x`), never
 *    by a relative path into it.
 * 4. No import cycles between files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Third-party packages bo-core may import (browser-safe math); a trailing '/' allows a scope. */
export const BO_CORE_ALLOWED = ['@stdlib/', '@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'];
const NODE_GLOBALS = /(?<![\w$.])(process\.|Buffer\.|require\(|__dirname|__filename)/;

/** Source text with comments and string literals blanked, so only code is searched. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");
}

export interface Violation {
  file: string;
  rule: 'bo-core-import' | 'bo-core-global' | 'lib-imports-app' | 'cross-project-relative' | 'cycle';
  detail: string;
}

/** Every .ts file under dir (skipping node_modules, dist, out-tsc). */
function listTs(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist' || e === 'out-tsc' || e.startsWith('.')) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listTs(p));
    else if (e.endsWith('.ts') && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The project a file belongs to: `libs/<name>` or `apps/<name>`, or null. */
function projectOf(root: string, file: string): string | null {
  const parts = relative(root, file).split(sep);
  return (parts[0] === 'libs' || parts[0] === 'apps') && parts[1] ? `${parts[0]}/${parts[1]}` : null;
}

/** Resolves a relative specifier to a .ts file, or null. */
function resolveRelative(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Checks the tree rooted at `root`; returns every violation found. */
export function checkBoundaries(root: string): Violation[] {
  const files = [...listTs(join(root, 'libs')), ...listTs(join(root, 'apps'))];
  const violations: Violation[] = [];
  const graph = new Map<string, string[]>();
  // Package name -> entry file, for workspace packages (so cycles through packages are seen).
  const packageEntry = new Map<string, string>();
  for (const kind of ['libs', 'apps']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, kind));
    } catch {
      /* none */
    }
    for (const name of names) {
      try {
        const pkg = JSON.parse(readFileSync(join(root, kind, name, 'package.json'), 'utf8')) as { name?: string };
        if (pkg.name) packageEntry.set(pkg.name, join(root, kind, name, 'src', 'index.ts'));
      } catch {
        /* no package.json */
      }
    }
  }

  for (const file of files) {
    const rel = relative(root, file);
    const project = projectOf(root, file);
    const text = readFileSync(file, 'utf8');
    const isBoCoreSrc = rel.startsWith(join('libs', 'bo-core', 'src') + sep);
    const isLib = rel.startsWith('libs' + sep);
    const isTest = rel.includes(`${sep}test${sep}`) || rel.endsWith('.test.ts');
    const edges: string[] = [];
    for (const ref of ts.preProcessFile(text, true, true).importedFiles) {
      const spec = ref.fileName;
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        const targetProject = target ? projectOf(root, target) : null;
        if (target && targetProject !== project) {
          violations.push({ file: rel, rule: 'cross-project-relative', detail: `'${spec}' reaches into ${targetProject ?? 'outside the projects'}; import its package instead` });
        }
        if (isLib && target && relative(root, target).startsWith('apps' + sep)) {
          violations.push({ file: rel, rule: 'lib-imports-app', detail: `'${spec}'` });
        }
        if (target) edges.push(target);
        continue;
      }
      const entry = packageEntry.get(spec);
      if (entry) {
        if (isLib && relative(root, entry).startsWith('apps' + sep)) violations.push({ file: rel, rule: 'lib-imports-app', detail: `'${spec}'` });
        if (isBoCoreSrc) violations.push({ file: rel, rule: 'bo-core-import', detail: `'${spec}': bo-core depends on no other project` });
        edges.push(entry);
        continue;
      }
      if (isBoCoreSrc && !BO_CORE_ALLOWED.some((p) => (p.endsWith('/') ? spec.startsWith(p) : spec === p || spec.startsWith(p + '/')))) {
        violations.push({ file: rel, rule: 'bo-core-import', detail: `'${spec}' is not browser-safe math; bo-core may import only ${BO_CORE_ALLOWED.join(', ')}` });
      }
    }
    if (isBoCoreSrc && !isTest) {
      const m = NODE_GLOBALS.exec(codeOnly(text));
      if (m) violations.push({ file: rel, rule: 'bo-core-global', detail: `uses the Node global '${m[1]}'` });
    }
    graph.set(file, edges);
  }
  for (const cycle of findCycles(graph)) {
    violations.push({ file: relative(root, cycle[0]!), rule: 'cycle', detail: cycle.map((f) => relative(root, f)).join(' -> ') });
  }
  return violations;
}

/** One representative cycle per strongly connected component with a cycle (Tarjan). */
function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).includes(v);
      if (comp.length > 1 || selfLoop) cycles.push([...comp.reverse(), comp[0]!]);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return cycles;
}
