import type { RunnerEvent } from '@apiary/engine';
import { Inject, Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from './metrics.service.js';

/** Feeds the engine's `onEvent` into the latency histograms and the trial-transition counter. */
@Injectable()
export class RunnerMetricsService {
  private readonly transitions: Counter<'status'>;
  private readonly experiments: Counter<'status'>;

  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {
    this.transitions = metrics.counter({ name: 'apiary_trial_transitions_total', help: 'Trials entering each state.', labelNames: ['status'] as const });
    this.experiments = metrics.counter({ name: 'apiary_experiment_transitions_total', help: 'Experiments entering each state.', labelNames: ['status'] as const });
  }

  observe(event: RunnerEvent): void {
    switch (event.type) {
      case 'generation':
        this.metrics.generationSeconds.observe({ method: event.generator }, event.generationSeconds);
        if (event.fitSeconds !== null) this.metrics.fitSeconds.observe({ method: event.generator }, event.fitSeconds);
        break;
      case 'trial':
        this.transitions.inc({ status: event.status });
        break;
      case 'experiment':
        this.experiments.inc({ status: event.status });
        break;
      case 'ignored':
        break;
    }
  }
}
