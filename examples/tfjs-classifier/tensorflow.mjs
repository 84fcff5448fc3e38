/**
 * TensorFlow.js for the classifier example, started lazily and once per thread.
 *
 * Design note: `@apiary/tf-runtime` does the same choice (tfjs-node-gpu > tfjs-node > wasm > cpu)
 * for the apps, but its package entry is compiled TypeScript that a plain `.mjs` evaluator in a
 * worker thread cannot load from the sources, so this module repeats the pattern in a few lines.
 * Each evaluator thread has its own tfjs engine: the first trial a thread runs pays the start-up
 * (about a second on wasm), later trials reuse it.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

/** @type {Promise<{ tf: typeof import('@tensorflow/tfjs'), backend: string }> | null} */
let starting = null;

/**
 * The tfjs module and its active backend (`tensorflow`, `wasm` or `cpu`), started on first use.
 * @param {{ prefer?: readonly ('tensorflow' | 'wasm' | 'cpu')[] }} [options] backend families to try,
 *   in order; the first call of the thread decides. @defaultValue ['tensorflow', 'wasm', 'cpu'],
 *   or the comma-separated list in `APIARY_EXAMPLE_TF_BACKENDS`
 */
export function tensorflow(options = {}) {
  starting ??= start(options.prefer ?? preferenceFromEnv());
  return starting;
}

function preferenceFromEnv() {
  const raw = process.env['APIARY_EXAMPLE_TF_BACKENDS'];
  return raw ? raw.split(',').map((s) => s.trim()) : ['tensorflow', 'wasm', 'cpu'];
}

async function start(prefer) {
  const skipped = [];
  for (const family of prefer) {
    try {
      if (family === 'tensorflow') {
        for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
          try {
            const tf = await import(pkg);
            await activate(tf, 'tensorflow');
            return { tf, backend: 'tensorflow' };
          } catch (error) {
            skipped.push(`${pkg}: ${firstLine(error)}`);
          }
        }
      } else if (family === 'wasm') {
        const tf = await import('@tensorflow/tfjs');
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
        wasm.setWasmPaths(dirname(entry) + sep);
        await activate(tf, 'wasm');
        return { tf, backend: 'wasm' };
      } else if (family === 'cpu') {
        const tf = await import('@tensorflow/tfjs');
        await activate(tf, 'cpu');
        return { tf, backend: 'cpu' };
      } else {
        skipped.push(`${family}: unknown backend (expected tensorflow, wasm or cpu)`);
      }
    } catch (error) {
      skipped.push(`${family}: ${firstLine(error)}`);
    }
  }
  starting = null;
  throw new Error(`no TensorFlow.js backend could be started: ${skipped.join('; ')}`);
}

async function activate(tf, name) {
  if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

function firstLine(error) {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
