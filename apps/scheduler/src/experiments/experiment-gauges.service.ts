import type { ExperimentRunner } from '@apiary/engine';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service.js';
import { EXPERIMENT_RUNNER } from '../scheduler.tokens.js';

/** Scrape-time gauges from the store: experiments by state, and trials by experiment and state. */
@Injectable()
export class ExperimentGaugesService implements OnModuleInit {
  constructor(
    @Inject(EXPERIMENT_RUNNER) private readonly runner: ExperimentRunner,
    @Inject(MetricsService) private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const experiments = this.metrics.gauge({
      name: 'apiary_experiments',
      help: 'Experiments in each state.',
      labelNames: ['status'] as const,
      collect: async () => {
        const all = await this.runner.list();
        experiments.reset();
        for (const status of ['RUNNING', 'STOPPED', 'COMPLETED', 'FAILED']) experiments.set({ status }, all.filter((e) => e.status === status).length);
      },
    });
    const trials = this.metrics.gauge({
      name: 'apiary_trials',
      help: 'Trials of each experiment in each state.',
      labelNames: ['experiment', 'name', 'status'] as const,
      collect: async () => {
        const all = await this.runner.list();
        const counts = await Promise.all(all.map(async (e) => ({ e, counts: await this.runner.counts(e.id).catch(() => null) })));
        trials.reset();
        for (const { e, counts: c } of counts) {
          if (c) for (const [status, n] of Object.entries(c)) trials.set({ experiment: e.id, name: e.config.name, status }, n);
        }
      },
    });
  }
}
