/**
 * @apiary/worker-sdk — write evaluators and serve them: the evaluator contract, loaders for
 * module / command / HTTP evaluators, executeTrial, runWorker (BullMQ), and the two
 * TrialDispatcher transports (BullmqDispatcher, LocalPool).
 */
export { defineEvaluator, type Evaluator, type EvaluatorContext, type EvaluatorReturn } from './evaluator.js';
export { EvaluationError, EvaluatorFailure, EvaluatorSpecError, type EvaluationFailureKind } from './errors.js';
export {
  describeEvaluatorSpec,
  parseEvaluatorSpec,
  parseNamedEvaluatorSpec,
  parseNamedEvaluatorSpecs,
  type EvaluatorSpec,
  type NamedEvaluatorSpec,
} from './evaluator-spec.js';
export { importModuleEvaluator, type ModuleEvaluatorOptions } from './module-evaluator.js';
export { createThreadEvaluator, type ClosableEvaluator, type ThreadEvaluatorOptions } from './thread-evaluator.js';
export { commandEvaluator, type CommandEvaluatorOptions } from './command-evaluator.js';
export { parameterVariable } from './command-io.js';
export { httpEvaluator, type HttpEvaluatorOptions } from './http-evaluator.js';
export { loadEvaluator, loadEvaluators, type LoadEvaluatorOptions, type LoadedEvaluators } from './load-evaluator.js';
export { normalizeOutcome, UNNAMED_OBJECTIVE } from './normalize-outcome.js';
export { cancelledReason, executeTrial, shutdownReason, type ExecuteTrialOptions } from './execute-trial.js';
export { runTrialWithEvents, type TerminalTrialEvent, type TrialRun } from './trial-events.js';
export { redisUnreachable, type RedisConnection } from './redis-connection.js';
export { EVENT_GROUP, cancelKey, eventStreamKey } from './queue-names.js';
export { FINISHED_RETENTION_SECONDS, packJobId, trialJobId, trialJobOptions } from './job-ids.js';
export { EVENT_FIELD, EventStreamConsumer, eventStreamDepth, parseEntry, type EventStreamConsumerOptions } from './event-stream.js';
export {
  PACK_JOB_NAME,
  TRIAL_JOB_NAME,
  parseTrialJobData,
  parseTrialMessage,
  stallVerdict,
  toPackMessage,
  toTrialMessage,
  trialQueueJob,
  type TrialMessage,
  type TrialPackMessage,
  type TrialQueueJob,
} from './trial-message.js';
export { TrialDurations, type TrialPackingOptions } from './trial-packing.js';
export { DEFAULT_PACK_SPLIT_AFTER_MS, DEFAULT_PACK_SPREAD_MS } from './trial-processor.js';
export { BULLMQ_MAX_STALLED_COUNT, DEFAULT_STARTED_EVENT_DELAY_MS, runWorker, type RunWorkerOptions, type WorkerHandle } from './run-worker.js';
export { BullmqDispatcher, EVENT_CLAIM_IDLE_MS, type BullmqDispatcherOptions } from './bullmq-dispatcher.js';
export { LocalPool, type EvaluatorSource, type LocalPoolOptions } from './local-pool.js';
