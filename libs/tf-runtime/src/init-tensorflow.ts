/**
 * Chooses the TensorFlow.js backend once per process: libtensorflow through
 * `@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node` (optional dependencies: they download
 * libtensorflow at install time, so their absence is the normal case), then the wasm backend, then
 * the plain JavaScript cpu backend. Each failure is recorded with its reason, never thrown, until
 * the list runs out.
 */
import {
  DEFAULT_PREFERENCE,
  reasonOf,
  type BackendAttempt,
  type BackendPreference,
  type InitTensorflowOptions,
  type TensorflowBackend,
  type TensorflowRuntime,
  type Tfjs,
} from './backend.js';

/** Extra facts about the chosen backend, for {@link describeBackend}. */
export interface BackendDetails {
  /** wasm only: whether the SIMD binary was loaded. */
  simd?: boolean;
  /** wasm only: XNNPACK threads (1 where wasm threads are unavailable, as in Node). */
  threads?: number;
}

interface Settled {
  runtime: TensorflowRuntime;
  details: BackendDetails;
}

let starting: Promise<Settled> | null = null;
let settled: Settled | null = null;

/** The libtensorflow bindings, most capable first. */
const NODE_BINDINGS: readonly { pkg: string; backend: TensorflowBackend }[] = [
  { pkg: '@tensorflow/tfjs-node-gpu', backend: 'tensorflow-gpu' },
  { pkg: '@tensorflow/tfjs-node', backend: 'tensorflow' },
];

const KNOWN: readonly BackendPreference[] = ['tensorflow', 'wasm', 'cpu'];

/**
 * Loads TensorFlow.js and activates the first backend of `options.prefer` that works.
 *
 * Idempotent: the first call decides for the whole process and later calls return the same
 * runtime whatever their options (TensorFlow.js keeps one global engine). A call that fails
 * (every preferred backend failed) leaves nothing decided, so a later call may try again.
 *
 * @throws Error when `prefer` is empty or names an unknown backend, or when every backend in it
 *   fails (the message lists each reason).
 */
export async function initTensorflow(options: InitTensorflowOptions = {}): Promise<TensorflowRuntime> {
  if (!starting) {
    starting = start(options);
    starting.then(
      (s) => {
        settled = s;
      },
      () => {
        starting = null;
      },
    );
  }
  return (await starting).runtime;
}

/** The runtime chosen by {@link initTensorflow}, or null before it has settled. */
export function currentTensorflow(): TensorflowRuntime | null {
  return settled?.runtime ?? null;
}

async function start(options: InitTensorflowOptions): Promise<Settled> {
  const prefer = options.prefer ?? DEFAULT_PREFERENCE;
  if (prefer.length === 0) throw new Error('initTensorflow: prefer is empty; name at least one of tensorflow, wasm, cpu');
  for (const p of prefer) {
    if (!KNOWN.includes(p)) throw new Error(`initTensorflow: unknown backend '${String(p)}' in prefer; expected tensorflow, wasm or cpu`);
  }
  const tried: BackendAttempt[] = [];
  for (const family of prefer) {
    if (family === 'tensorflow') {
      for (const { pkg, backend } of NODE_BINDINGS) {
        try {
          const tf = await loadNodeBinding(pkg);
          tried.push({ name: pkg });
          return { runtime: { tf, backend, tried }, details: {} };
        } catch (error) {
          tried.push({ name: pkg, error: reasonOf(error) });
        }
      }
    } else if (family === 'wasm') {
      try {
        const { tf, details } = await loadWasm(options.wasmThreads);
        tried.push({ name: 'wasm' });
        return { runtime: { tf, backend: 'wasm', tried }, details };
      } catch (error) {
        tried.push({ name: 'wasm', error: reasonOf(error) });
      }
    } else {
      try {
        const tf = await import('@tensorflow/tfjs');
        await activate(tf, 'cpu');
        tried.push({ name: 'cpu' });
        return { runtime: { tf, backend: 'cpu', tried }, details: {} };
      } catch (error) {
        tried.push({ name: 'cpu', error: reasonOf(error) });
      }
    }
  }
  throw new Error(`initTensorflow: no backend could be loaded: ${tried.map((t) => `${t.name}: ${t.error ?? 'ok'}`).join('; ')}`);
}

/** Imports a libtensorflow binding (it registers the `tensorflow` backend) and activates it. */
async function loadNodeBinding(pkg: string): Promise<Tfjs> {
  // A computed specifier: these optional packages are usually absent, so neither the type
  // checker nor a bundler may insist on them.
  const tf = (await import(/* @vite-ignore */ pkg)) as Tfjs;
  await activate(tf, 'tensorflow');
  return tf;
}

/** Imports the wasm backend, points it at its binaries on disk (Node) and activates it. */
async function loadWasm(threads: number | undefined): Promise<{ tf: Tfjs; details: BackendDetails }> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (isNode()) wasm.setWasmPaths(await wasmDistFolder());
  if (threads !== undefined) wasm.setThreadsCount(threads);
  await activate(tf, 'wasm');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { tf, details: { simd, threads: wasm.getThreadsCount() } };
}

/** `tf.setBackend(name)` that throws instead of returning false. */
async function activate(tf: Tfjs, name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed (see the warning TensorFlow.js printed above)`);
  await tf.ready();
}

function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions === 'object' && typeof process.versions.node === 'string';
}

/**
 * The folder holding the `.wasm` binaries, with a trailing slash: the directory of the package's
 * Node entry (`dist/tf-backend-wasm.node.js`), resolved on disk from this module.
 */
async function wasmDistFolder(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, sep } = await import('node:path');
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return dirname(entry) + sep;
}

/** What {@link describeBackend} reports: a plain object for health endpoints, and one line for banners. */
export interface BackendDescription {
  /** False before {@link initTensorflow} has settled (the other fields are then empty). */
  readonly initialised: boolean;
  readonly backend: TensorflowBackend | null;
  /** The tfjs-core version. */
  readonly version: string | null;
  readonly details: BackendDetails;
  readonly tried: readonly BackendAttempt[];
  /** e.g. `TensorFlow.js 4.22.0 on wasm (SIMD, 1 thread); skipped @tensorflow/tfjs-node-gpu: not installed (...)`. */
  readonly summary: string;
}

/** Describes the backend chosen by {@link initTensorflow} (or says that none is chosen yet). */
export function describeBackend(): BackendDescription {
  if (!settled) {
    return { initialised: false, backend: null, version: null, details: {}, tried: [], summary: 'TensorFlow.js not initialised' };
  }
  const { runtime, details } = settled;
  const version = runtime.tf.version_core;
  const extra: string[] = [];
  if (details.simd !== undefined) extra.push(details.simd ? 'SIMD' : 'no SIMD');
  if (details.threads !== undefined) extra.push(`${details.threads} thread${details.threads === 1 ? '' : 's'}`);
  const skipped = runtime.tried.filter((t) => t.error !== undefined).map((t) => `skipped ${t.name}: ${t.error}`);
  const head = `TensorFlow.js ${version} on ${runtime.backend}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
  return {
    initialised: true,
    backend: runtime.backend,
    version,
    details,
    tried: runtime.tried,
    summary: [head, ...skipped].join('; '),
  };
}
