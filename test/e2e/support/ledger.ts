/**
 * The evaluators' own record of what they ran: the fixtures in ../fixtures append one JSON line
 * per evaluation to the file named by APIARY_E2E_LEDGER (append writes of one short line are
 * atomic, so several worker processes and threads can share the file). It is the ground truth
 * for "evaluated exactly once", independent of what the scheduler recorded.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LedgerEntry {
  /** 'start' when the evaluator was called, 'end' when it returned. */
  event: 'start' | 'end';
  trialId: string;
  attempt: number;
  /** The worker process that ran it. */
  pid: number;
  at: number;
}

export class Ledger {
  readonly dir = mkdtempSync(join(tmpdir(), 'apiary-e2e-ledger-'));
  readonly file = join(this.dir, 'ledger.jsonl');

  /** The environment a worker needs so that its evaluators write here. */
  get env(): Record<string, string> {
    return { APIARY_E2E_LEDGER: this.file };
  }

  entries(): LedgerEntry[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as LedgerEntry);
  }

  /** trialId → number of times its evaluation ran to the end (returned a value). */
  finishedCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const e of this.entries()) if (e.event === 'end') counts.set(e.trialId, (counts.get(e.trialId) ?? 0) + 1);
    return counts;
  }

  /** trialId → the evaluations that started, in order. */
  starts(): Map<string, LedgerEntry[]> {
    const starts = new Map<string, LedgerEntry[]>();
    for (const e of this.entries()) if (e.event === 'start') starts.set(e.trialId, [...(starts.get(e.trialId) ?? []), e]);
    return starts;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
