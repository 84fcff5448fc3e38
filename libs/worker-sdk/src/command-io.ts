import type { ParameterValues } from '@apiary/contracts';

/**
 * The environment variables a command evaluator receives besides its inherited environment:
 * `APIARY_PARAMS` (all parameters as JSON), `APIARY_PARAM_<NAME>` per parameter (name upper-cased,
 * characters other than letters, digits and `_` replaced by `_`), and the trial's ids.
 */
export function commandEnvironment(parameters: ParameterValues, trial: { trialId: string; experimentId: string; attempt: number }): Record<string, string> {
  const env: Record<string, string> = {
    APIARY_PARAMS: JSON.stringify(parameters),
    APIARY_TRIAL_ID: trial.trialId,
    APIARY_EXPERIMENT_ID: trial.experimentId,
    APIARY_ATTEMPT: String(trial.attempt),
  };
  for (const [name, value] of Object.entries(parameters)) env[parameterVariable(name)] = String(value);
  return env;
}

/** `learning-rate` → `APIARY_PARAM_LEARNING_RATE`. */
export function parameterVariable(name: string): string {
  return `APIARY_PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

/** The result a command printed: the last line of its output that parses as JSON, or undefined. */
export function lastJsonLine(output: string): unknown {
  const lines = output.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]?.trim();
    if (!line) continue;
    try {
      return JSON.parse(line) as unknown;
    } catch {
      /* not JSON: keep looking upwards */
    }
  }
  return undefined;
}

/** Keeps the last `limit` characters of a growing text (command output). */
export class TextTail {
  private text = '';

  constructor(private readonly limit: number) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.limit) this.text = this.text.slice(-this.limit);
  }

  /** The kept text, at most `limit` characters. */
  toString(): string {
    return this.text.length > this.limit ? this.text.slice(-this.limit) : this.text;
  }
}
