import type { TrialStatus } from '@apiary/contracts';
import {
  applyExperimentPatch,
  applyTrialPatch,
  checkConsecutiveIndices,
  emptyCounts,
  NON_TERMINAL_TRIAL_STATUSES,
  resolveListOptions,
  type ExperimentPatch,
  type ExperimentRecord,
  type ExperimentStatus,
  type ExperimentStore,
  type IntermediatePoint,
  type ListTrialsOptions,
  type TerminalTrialStatus,
  type TrialCounts,
  type TrialPage,
  type TrialPatch,
  type TrialRecord,
} from './store.js';

interface ExperimentEntry {
  record: ExperimentRecord;
  /** Trials by id, in insertion order. */
  trials: Map<string, TrialRecord>;
  /** Trial ids in index order (kept sorted on insert). */
  order: string[];
}

/**
 * An {@link ExperimentStore} in process memory: for tests and the embedded mode. Every method
 * runs to completion without awaiting, so each is atomic. Records go in and come out as copies,
 * so a caller can never change stored state by mutating an object.
 */
export class MemoryStore implements ExperimentStore {
  private readonly experiments = new Map<string, ExperimentEntry>();

  async createExperiment(record: ExperimentRecord): Promise<void> {
    if (this.experiments.has(record.id)) throw new Error(`experiment '${record.id}' already exists`);
    this.experiments.set(record.id, { record: structuredClone(record), trials: new Map(), order: [] });
  }

  async getExperiment(id: string): Promise<ExperimentRecord | null> {
    const e = this.experiments.get(id);
    return e ? structuredClone(e.record) : null;
  }

  async listExperiments(): Promise<ExperimentRecord[]> {
    return [...this.experiments.values()].map((e) => structuredClone(e.record)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async updateExperiment(id: string, patch: ExperimentPatch, ifStatus?: ExperimentStatus): Promise<ExperimentRecord | null> {
    const e = this.experiments.get(id);
    if (!e || (ifStatus !== undefined && e.record.status !== ifStatus)) return null;
    e.record = applyExperimentPatch(e.record, patch);
    return structuredClone(e.record);
  }

  async deleteExperiment(id: string): Promise<boolean> {
    return this.experiments.delete(id);
  }

  async allocateTrialIndices(experimentId: string, n: number): Promise<number> {
    const e = this.entry(experimentId);
    const first = e.record.nextIndex;
    e.record.nextIndex += n;
    return first;
  }

  async insertTrialsAt(experimentId: string, first: number, trials: readonly TrialRecord[]): Promise<boolean> {
    checkConsecutiveIndices(first, trials);
    const e = this.entry(experimentId);
    if (e.record.nextIndex !== first) return false;
    e.record.nextIndex += trials.length;
    await this.insertTrials(experimentId, trials);
    return true;
  }

  async insertTrials(experimentId: string, trials: readonly TrialRecord[]): Promise<void> {
    const e = this.entry(experimentId);
    let sorted = true;
    for (const t of trials) {
      if (e.trials.has(t.id)) continue;
      const last = e.order[e.order.length - 1];
      if (last !== undefined && e.trials.get(last)!.index > t.index) sorted = false;
      e.trials.set(t.id, structuredClone(t));
      e.order.push(t.id);
    }
    // Indices are allocated in increasing order, so appending almost always keeps the order.
    if (!sorted) e.order.sort((a, b) => e.trials.get(a)!.index - e.trials.get(b)!.index);
  }

  async getTrial(experimentId: string, trialId: string): Promise<TrialRecord | null> {
    const t = this.experiments.get(experimentId)?.trials.get(trialId);
    return t ? structuredClone(t) : null;
  }

  async getTrials(experimentId: string, trialIds: readonly string[]): Promise<(TrialRecord | null)[]> {
    const trials = this.experiments.get(experimentId)?.trials;
    return trialIds.map((id) => {
      const t = trials?.get(id);
      return t ? structuredClone(t) : null;
    });
  }

  async updateTrials(experimentId: string, trialIds: readonly string[], change: (current: TrialRecord) => TrialRecord | null): Promise<Map<string, TrialRecord>> {
    const before = new Map<string, TrialRecord>();
    const trials = this.experiments.get(experimentId)?.trials;
    if (!trials) return before;
    for (const id of new Set(trialIds)) {
      const t = trials.get(id);
      if (!t) continue;
      const current = structuredClone(t);
      before.set(id, current);
      const next = change(current);
      if (next) trials.set(id, structuredClone(next));
    }
    return before;
  }

  async updateTrial(experimentId: string, trialId: string, patch: TrialPatch, from: readonly TrialStatus[] = NON_TERMINAL_TRIAL_STATUSES): Promise<TrialRecord | null> {
    const e = this.experiments.get(experimentId);
    const t = e?.trials.get(trialId);
    if (!e || !t) return null;
    const next = applyTrialPatch(t, patch, from);
    if (!next) return null;
    e.trials.set(trialId, next);
    return structuredClone(next);
  }

  async recordOutcome(experimentId: string, trialId: string, status: TerminalTrialStatus, patch: TrialPatch): Promise<boolean> {
    return (await this.updateTrial(experimentId, trialId, { ...patch, status }, NON_TERMINAL_TRIAL_STATUSES)) !== null;
  }

  async appendIntermediate(experimentId: string, trialId: string, point: IntermediatePoint): Promise<boolean> {
    const t = this.experiments.get(experimentId)?.trials.get(trialId);
    if (!t || !NON_TERMINAL_TRIAL_STATUSES.includes(t.status)) return false;
    t.intermediate = [...t.intermediate, { step: point.step, value: point.value }];
    return true;
  }

  async listTrials(experimentId: string, options?: ListTrialsOptions): Promise<TrialPage> {
    const { offset, limit, statuses } = resolveListOptions(options);
    const e = this.experiments.get(experimentId);
    if (!e) return { items: [], total: 0, offset, limit };
    const all = e.order.map((id) => e.trials.get(id)!);
    const matching = statuses ? all.filter((t) => statuses.includes(t.status)) : all;
    return { items: matching.slice(offset, offset + limit).map((t) => structuredClone(t)), total: matching.length, offset, limit };
  }

  async countTrials(experimentId: string): Promise<TrialCounts> {
    const counts = emptyCounts();
    for (const t of this.experiments.get(experimentId)?.trials.values() ?? []) counts[t.status]++;
    return counts;
  }

  async close(): Promise<void> {}

  private entry(experimentId: string): ExperimentEntry {
    const e = this.experiments.get(experimentId);
    if (!e) throw new Error(`no experiment '${experimentId}'`);
    return e;
  }
}
