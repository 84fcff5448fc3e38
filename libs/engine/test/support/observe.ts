import type { TrialStatus } from '@apiary/contracts';
import type { RunnerEvent } from '../../src/index.js';

const TERMINAL: readonly TrialStatus[] = ['COMPLETED', 'FAILED', 'ABANDONED'];

/** Collects runner events and derives the in-flight history from them. */
export class EventLog {
  readonly events: RunnerEvent[] = [];
  /** In-flight trials (created, not yet terminal) after each trial event that changed it. */
  readonly inFlight: { value: number; cause: 'created' | 'terminal' }[] = [];
  private current = 0;

  readonly onEvent = (e: RunnerEvent): void => {
    this.events.push(e);
    if (e.type !== 'trial') return;
    if (e.status === 'CANDIDATE') this.inFlight.push({ value: ++this.current, cause: 'created' });
    else if (TERMINAL.includes(e.status)) this.inFlight.push({ value: --this.current, cause: 'terminal' });
  };

  of<T extends RunnerEvent['type']>(type: T): Extract<RunnerEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<RunnerEvent, { type: T }> => e.type === type);
  }

  /** Terminal trial events per trial id. */
  terminalCounts(): Map<string, number> {
    const m = new Map<string, number>();
    for (const e of this.of('trial')) if (TERMINAL.includes(e.status)) m.set(e.trialId, (m.get(e.trialId) ?? 0) + 1);
    return m;
  }
}

/** Polls `condition` (yielding to the event loop) until it holds. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A promise gate per evaluation: evaluations wait until released one by one or all at once. */
export class Gate {
  private open = false;
  private readonly waiting: (() => void)[] = [];
  wait(): Promise<void> {
    return this.open ? Promise.resolve() : new Promise((r) => this.waiting.push(r));
  }
  get waitingCount(): number {
    return this.waiting.length;
  }
  releaseOne(): void {
    this.waiting.shift()?.();
  }
  openAll(): void {
    this.open = true;
    for (const r of this.waiting.splice(0)) r();
  }
}
