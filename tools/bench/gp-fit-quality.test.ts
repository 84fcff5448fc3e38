import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bestReference, evaluateSet, meetsGoal, type DataSet } from './gp-fit-quality.js';

const path = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/reference/gp_fit_reference.json');
const have = existsSync(path);

describe.skipIf(!have)(`GP fit quality on BoTorch's held-out sets${have ? '' : ` (${path} absent: skipped)`}`, () => {
  const sets = have ? (JSON.parse(readFileSync(path, 'utf8')) as { sets: DataSet[] }).sets : [];
  for (const set of sets) {
    it(`${set.name}: NLL <= best BoTorch + 0.05 and RMSE <= 1.1 x best BoTorch`, () => {
      const ref = bestReference(set.results);
      expect(ref).not.toBeNull();
      const q = evaluateSet(set);
      if (!meetsGoal(q, ref!)) expect.fail(`rmse ${q.rmse} (goal <= ${1.1 * ref!.rmse}), nll ${q.nll} (goal <= ${ref!.nll + 0.05})`);
    });
  }
});
