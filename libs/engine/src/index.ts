/**
 * @apiary/engine — the experiment runner: trial state machine, generation loop, result intake and
 * stores (memory, Redis). No framework: the NestJS scheduler and the embedded mode wrap it.
 */
export { ExperimentRunner, NOT_STARTED_REASON } from './experiment-runner.js';
export {
  INTERVAL_TIMER,
  SILENT_LOGGER,
  trialIdOf,
  type EngineLogger,
  type ExperimentRunnerOptions,
  type RunnerEvent,
  type RunnerTimer,
} from './runner-options.js';
export { EngineError, ExperimentNotFoundError, ExperimentStateError } from './errors.js';
export { LocalDispatcher, type LocalDispatcherOptions, type LocalEvaluationContext, type LocalExecute } from './local-dispatcher.js';
export { checkOutcome, failureRateReason, MIN_FINISHED_FOR_FAILURE_RATE, type CheckedOutcome } from './outcome-check.js';
export { createOptimizer, optimizerOptions, rebuildOptimizer, type RebuiltOptimizer } from './optimizer-factory.js';
export { GenerationThread, type ProposalSource } from './generation/generation-thread.js';
export { csvField, trialsToCsv, trialsToJson, type TrialExportFormat } from './trial-export.js';
export {
  DEFAULT_TRIAL_PAGE_LIMIT,
  emptyCounts,
  IN_FLIGHT_TRIAL_STATUSES,
  isTerminal,
  listAllTrials,
  NON_TERMINAL_TRIAL_STATUSES,
  sumCounts,
  type ExperimentPatch,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentStore,
  type IntermediatePoint,
  type ListTrialsOptions,
  type TerminalTrialStatus,
  type TrialCounts,
  type TrialPage,
  type TrialPatch,
  type TrialRecord,
} from './store/store.js';
export { MemoryStore } from './store/memory-store.js';
export { RedisStore, type RedisStoreOptions } from './store/redis-store.js';
