/** Errors the engine throws on purpose (a bad config is contracts' ValidationError instead). */
export class EngineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** No experiment has this id. */
export class ExperimentNotFoundError extends EngineError {
  constructor(readonly experimentId: string) {
    super(`no experiment '${experimentId}'`);
  }
}

/** The operation does not apply in the experiment's current state (start a completed one, say). */
export class ExperimentStateError extends EngineError {}
