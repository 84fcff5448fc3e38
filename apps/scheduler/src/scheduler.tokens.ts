/** Injection tokens of the scheduler's providers that are not classes. */
export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');
/** The ioredis connection shared by the store, the queue admin and the readiness check. */
export const REDIS = Symbol('REDIS');
export const EXPERIMENT_STORE = Symbol('EXPERIMENT_STORE');
export const TRIAL_DISPATCHER = Symbol('TRIAL_DISPATCHER');
export const EXPERIMENT_RUNNER = Symbol('EXPERIMENT_RUNNER');
/** `() => Promise<{ backend, tried }>`: selects the TensorFlow.js backend at start-up. */
export const TENSORFLOW_INIT = Symbol('TENSORFLOW_INIT');
