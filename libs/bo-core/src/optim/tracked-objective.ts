import type { ValueAndGradient } from './minimizer.js';

/** One evaluation of the objective. */
export interface Evaluation {
  readonly f: number;
  readonly g: Float64Array;
  /** Whether f and every gradient component are finite. */
  readonly finite: boolean;
}

/**
 * Wraps an objective: counts evaluations against a budget and remembers the best finite point
 * seen (lowest f with a finite gradient). The objective gets a fresh copy of x and a fresh
 * gradient buffer each call, so it may keep references to them.
 */
export class TrackedObjective {
  evaluations = 0;
  bestF = Infinity;
  bestX: Float64Array | null = null;

  constructor(
    private readonly fg: ValueAndGradient,
    private readonly maxEvaluations: number,
  ) {}

  /** Whether the evaluation budget is spent. */
  get exhausted(): boolean {
    return this.evaluations >= this.maxEvaluations;
  }

  evaluate(x: Float64Array): Evaluation {
    const g = new Float64Array(x.length);
    const f = this.fg(x.slice(), g);
    this.evaluations++;
    let finite = Number.isFinite(f);
    for (let i = 0; finite && i < g.length; i++) finite = Number.isFinite(g[i]!);
    if (finite && f < this.bestF) {
      this.bestF = f;
      this.bestX = x.slice();
    }
    return { f, g, finite };
  }
}
