import type { TrialEvent } from '@apiary/contracts';
import { waitFor } from './redis-server.js';

/** Collects TrialEvents and waits for conditions on them. */
export class EventLog {
  readonly events: TrialEvent[] = [];
  readonly handler = (event: TrialEvent): void => {
    this.events.push(event);
  };

  of(trialId: string): TrialEvent[] {
    return this.events.filter((e) => e.trialId === trialId);
  }

  terminal(): TrialEvent[] {
    return this.events.filter((e) => e.kind === 'completed' || e.kind === 'failed');
  }

  async until(check: (events: readonly TrialEvent[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    await waitFor(() => check(this.events), timeoutMs, what);
  }
}
