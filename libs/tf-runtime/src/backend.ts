/**
 * Names and result types of the TensorFlow.js start-up, shared by {@link initTensorflow} and
 * {@link describeBackend}.
 */
import type * as tfjs from '@tensorflow/tfjs';

/** The TensorFlow.js module instance (`@tensorflow/tfjs`, or a node binding that re-exports it). */
export type Tfjs = typeof tfjs;

/**
 * A backend family the caller may ask for: `tensorflow` means libtensorflow through
 * `@tensorflow/tfjs-node-gpu` (tried first) or `@tensorflow/tfjs-node`.
 */
export type BackendPreference = 'tensorflow' | 'wasm' | 'cpu';

/** The backend actually chosen. `tensorflow-gpu` is the CUDA build of libtensorflow. */
export type TensorflowBackend = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** One candidate tried at start-up, in order; `error` says why it was skipped (absent for the chosen one). */
export interface BackendAttempt {
  /** A package (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`) or a backend name (`wasm`, `cpu`). */
  readonly name: string;
  readonly error?: string;
}

/** What {@link initTensorflow} settled on. */
export interface TensorflowRuntime {
  /** The module to build tensors with; its active backend is {@link TensorflowRuntime.backend}. */
  readonly tf: Tfjs;
  readonly backend: TensorflowBackend;
  /** Every candidate tried, in order; the last one without an error is the chosen one. */
  readonly tried: readonly BackendAttempt[];
}

/** Options of {@link initTensorflow}. */
export interface InitTensorflowOptions {
  /**
   * Backend families to try, in order; the first that loads wins. `cpu` never fails, so a list
   * without it throws when everything in it fails.
   * @defaultValue ['tensorflow', 'wasm', 'cpu']
   */
  prefer?: readonly BackendPreference[];
  /**
   * Threads of the wasm backend's XNNPACK pool (only where the runtime supports wasm threads;
   * Node does not, so this is usually moot there).
   * @defaultValue the number of logical cores
   */
  wasmThreads?: number;
}

export const DEFAULT_PREFERENCE: readonly BackendPreference[] = ['tensorflow', 'wasm', 'cpu'];

/** The reason an import or initialisation failed, on one line. */
export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const first = error.message.split('\n')[0] ?? error.message;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return `not installed (${first})`;
    return first;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
