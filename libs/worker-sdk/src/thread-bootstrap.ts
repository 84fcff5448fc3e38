/**
 * The code an evaluator thread runs, as CommonJS source for `new Worker(source, { eval: true })`.
 * It is plain JavaScript (not a file next to this one) so that it works alike from the
 * TypeScript sources (tsx, vitest) and from the compiled dist, without a build step copying it.
 *
 * It imports the module at `workerData.path` once, then serves `run` messages one at a time,
 * turning an `abort` message into `ctx.signal` being aborted. Protocol: thread-protocol.ts.
 */
export const THREAD_BOOTSTRAP_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');

function pick(ns) {
  const main = ns.default;
  if (typeof main === 'function') return main;
  if (main !== null && typeof main === 'object' && typeof main.default === 'function') return main.default;
  return null;
}

let evaluator = null;
let current = null;

function post(message) {
  try {
    parentPort.postMessage(message);
  } catch (e) {
    parentPort.postMessage({ type: 'error', id: message.id, name: 'DataCloneError', message: 'the result could not be sent from the evaluator thread: ' + (e && e.message) });
  }
}

async function run(msg) {
  const controller = new AbortController();
  current = { id: msg.id, controller };
  const ctx = {
    trialId: msg.trialId,
    experimentId: msg.experimentId,
    attempt: msg.attempt,
    signal: controller.signal,
    report(step, value) {
      if (!Number.isInteger(step) || step < 0) throw new TypeError('report(step, value): step must be a non-negative integer, got ' + step);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError('report(step, value): value must be a finite number, got ' + value);
      if (current && current.id === msg.id) parentPort.postMessage({ type: 'report', id: msg.id, step, value });
    },
  };
  try {
    const value = await evaluator(msg.parameters, ctx);
    post({ type: 'result', id: msg.id, value });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(typeof e === 'string' ? e : JSON.stringify(e));
    post({ type: 'error', id: msg.id, name: error.name, message: error.message });
  } finally {
    if (current && current.id === msg.id) current = null;
  }
}

parentPort.on('message', (msg) => {
  if (msg.type === 'run') void run(msg);
  else if (msg.type === 'abort' && current && current.id === msg.id) current.controller.abort(new Error(msg.reason));
});

import(pathToFileURL(workerData.path).href).then(
  (ns) => {
    evaluator = pick(ns);
    if (evaluator) parentPort.postMessage({ type: 'ready' });
    else parentPort.postMessage({ type: 'not-a-function', found: ns.default === undefined ? 'no default export' : 'a default export of type ' + (ns.default === null ? 'null' : typeof ns.default) });
  },
  (e) => parentPort.postMessage({ type: 'load-error', message: String((e && e.message) || e) }),
);
`;
