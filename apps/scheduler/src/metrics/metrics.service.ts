import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, type CounterConfiguration, Gauge, type GaugeConfiguration, Histogram, Registry } from 'prom-client';

/** Seconds; GP fits and acquisition optimisation range from milliseconds to minutes. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The Prometheus registry of this scheduler (its own, not prom-client's global one, so that
 * several apps in one process do not collide) and the latency histograms fed by the engine.
 * Modules add scrape-time gauges with {@link gauge}.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /** Model fits (GP hyperparameter fitting) per generation step. */
  readonly fitSeconds: Histogram<'method'>;
  /** Candidate generation (fit + acquisition optimisation) per proposed batch. */
  readonly generationSeconds: Histogram<'method'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'apiary_scheduler_' });
    this.fitSeconds = new Histogram({
      name: 'apiary_fit_duration_seconds',
      help: 'Time to fit the surrogate model, per generation step.',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.generationSeconds = new Histogram({
      name: 'apiary_generation_duration_seconds',
      help: 'Time to propose one batch of candidates (model fit included).',
      labelNames: ['method'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
  }

  /** Registers a gauge in this registry (give it a `collect` to compute it at scrape time). */
  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return new Gauge<L>({ ...config, registers: [this.registry] });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return new Counter<L>({ ...config, registers: [this.registry] });
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
