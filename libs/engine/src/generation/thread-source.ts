/**
 * The code a generation thread runs, as CommonJS source for `new Worker(source, { eval: true })`:
 * plain JavaScript, so that it works alike from the TypeScript sources (tsx, vitest) and from the
 * compiled dist. It imports bo-core from `workerData.boCore` (registering tsx and the
 * `@apiary/source` export condition first when `workerData.tsxApi` is set, i.e. when the engine
 * itself runs from its sources), starts TensorFlow.js from `workerData.tfRuntime` when given (the
 * replicas then score raw candidate batches in float32 on the best backend present), and keeps
 * one replica Optimizer per experiment key, fed by messages in order (see generation-thread.ts).
 */
export const GENERATION_THREAD_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { register } = require('node:module');

const replicas = new Map();
let bo = null;
let tf = null;
const queue = [];

function message(e) {
  return e instanceof Error ? e.message : String(e);
}

function handle(msg) {
  switch (msg.type) {
    case 'init': {
      const opt = new bo.Optimizer(tf ? { ...msg.options, tf } : msg.options);
      for (const t of msg.trials) opt.attachTrial(t.parameters, t.attach);
      replicas.set(msg.key, opt);
      return;
    }
    case 'attach': {
      const opt = replicas.get(msg.key);
      if (opt) for (const t of msg.trials) opt.attachTrial(t.parameters, t.attach);
      return;
    }
    case 'tell': {
      const opt = replicas.get(msg.key);
      if (opt && opt.trials[msg.index] && opt.trials[msg.index].status === 'running') opt.tell(msg.index, msg.values);
      return;
    }
    case 'fail': {
      const opt = replicas.get(msg.key);
      if (opt && opt.trials[msg.index] && opt.trials[msg.index].status === 'running') opt.fail(msg.index, msg.reason);
      return;
    }
    case 'drop':
      replicas.delete(msg.key);
      return;
    case 'ask': {
      const opt = replicas.get(msg.key);
      if (!opt) {
        parentPort.postMessage({ type: 'asked', id: msg.id, error: 'no optimiser for this experiment in the generation thread' });
        return;
      }
      try {
        const trials = opt.ask(msg.n, msg.options);
        parentPort.postMessage({
          type: 'asked',
          id: msg.id,
          first: trials.length > 0 ? trials[0].index : opt.trials.length,
          trials: trials.map((t) => ({ unit: Array.from(t.unit), generator: t.generator })),
          timing: opt.lastGeneration,
          msPerPoint: opt.estimateModelStepMs(1),
        });
      } catch (e) {
        parentPort.postMessage({ type: 'asked', id: msg.id, error: message(e), name: e && e.name });
      }
      return;
    }
  }
}

parentPort.on('message', (msg) => {
  if (bo) {
    try {
      handle(msg);
    } catch (e) {
      parentPort.postMessage({ type: 'fault', message: message(e) });
    }
  } else queue.push(msg);
});

(async () => {
  if (workerData.tsxApi) {
    const condition = 'export async function resolve(s, c, n) { return n(s, { ...c, conditions: [...(c.conditions ?? []), "@apiary/source"] }); }';
    register('data:text/javascript,' + encodeURIComponent(condition));
    (await import(workerData.tsxApi)).register();
  }
  bo = await import(workerData.boCore);
  for (const msg of queue.splice(0)) {
    try {
      handle(msg);
    } catch (e) {
      parentPort.postMessage({ type: 'fault', message: message(e) });
    }
  }
  // TensorFlow.js loads after the replicas are serving (it takes seconds): they switch to it once ready.
  let backend = null;
  if (workerData.tfRuntime) {
    try {
      const tfRuntime = await import(workerData.tfRuntime);
      tf = (await tfRuntime.initTensorflow()).tf;
      for (const opt of replicas.values()) opt.setTensorflow(tf);
      backend = tfRuntime.describeBackend().summary;
    } catch (e) {
      backend = 'TensorFlow.js unavailable (' + message(e) + '); raw candidates are scored in float64';
    }
  }
  parentPort.postMessage({ type: 'ready', backend });
})().catch((e) => parentPort.postMessage({ type: 'load-error', message: String((e && e.stack) || e) }));
`;
