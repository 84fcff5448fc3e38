import type { ExperimentRecord, ExperimentRunner, TrialCounts, TrialPage, TrialRecord } from '@apiary/engine';
import type { TrialStatus } from '@apiary/contracts';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueAdminService } from '../queues/queue-admin.service.js';
import { EXPERIMENT_RUNNER } from '../scheduler.tokens.js';

/** The REST API's view of the engine's ExperimentRunner, plus the queue admin's bookkeeping. */
@Injectable()
export class ExperimentsService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Experiments');

  constructor(
    @Inject(EXPERIMENT_RUNNER) private readonly runner: ExperimentRunner,
    @Inject(QueueAdminService) private readonly queues: QueueAdminService,
  ) {}

  /** Restart-safety: every experiment the store says is RUNNING carries on in this scheduler. */
  async onApplicationBootstrap(): Promise<void> {
    const all = await this.runner.list();
    for (const e of all) this.queues.ensureEvaluator(e.config.evaluator);
    const resumed = await this.runner.resumeAll();
    this.logger.log({ msg: 'resumed running experiments', resumed: resumed.map((e) => e.id), experiments: all.length });
  }

  /** Validates, stores and starts an experiment. @throws ValidationError (nothing stored) */
  async create(input: unknown): Promise<ExperimentRecord> {
    const created = await this.runner.create(input);
    this.queues.ensureEvaluator(created.config.evaluator);
    this.logger.log({ msg: 'experiment created', experimentId: created.id, name: created.config.name, evaluator: created.config.evaluator });
    return this.runner.start(created.id);
  }

  list(): Promise<ExperimentRecord[]> {
    return this.runner.list();
  }

  /** The experiment with its trial counts by state (every state, zeros included). */
  async get(id: string): Promise<ExperimentRecord & { counts: TrialCounts }> {
    const [record, counts] = await Promise.all([this.runner.get(id), this.runner.counts(id)]);
    return { ...record, counts };
  }

  trials(id: string, page: { offset: number; limit: number; status?: TrialStatus[] | undefined }): Promise<TrialPage> {
    return this.runner.trials(id, page.status ? { offset: page.offset, limit: page.limit, status: page.status } : { offset: page.offset, limit: page.limit });
  }

  best(id: string): Promise<TrialRecord | null> {
    return this.runner.best(id);
  }

  async stop(id: string, reason: string | undefined): Promise<ExperimentRecord> {
    const stopped = await this.runner.stop(id, reason);
    this.logger.log({ msg: 'experiment stopped', experimentId: id, reason: stopped.reason });
    return stopped;
  }

  async resume(id: string): Promise<ExperimentRecord> {
    const resumed = await this.runner.resume(id);
    this.logger.log({ msg: 'experiment resumed', experimentId: id });
    return resumed;
  }

  async delete(id: string): Promise<void> {
    await this.runner.delete(id);
    this.logger.log({ msg: 'experiment deleted', experimentId: id });
  }

  /** The trials as a file: its text, content type and a file name. */
  async export(id: string, format: 'json' | 'csv'): Promise<{ body: string; contentType: string; filename: string }> {
    const [{ config }, body] = await Promise.all([this.runner.get(id), this.runner.exportTrials(id, format)]);
    const contentType = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
    return { body, contentType, filename: `${config.name}-trials.${format}` };
  }
}
