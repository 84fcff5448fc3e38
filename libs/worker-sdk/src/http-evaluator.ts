import { EvaluatorFailure, messageOf } from './errors.js';
import type { Evaluator, EvaluatorReturn } from './evaluator.js';

/** Options of {@link httpEvaluator}. */
export interface HttpEvaluatorOptions {
  /** Extra request headers (an `Authorization` token, say). @defaultValue none */
  headers?: Readonly<Record<string, string>>;
  /** Characters of a failed response's body quoted in the failure. @defaultValue 500 */
  bodySnippetChars?: number;
}

/**
 * An evaluator served over HTTP: each trial POSTs `{ parameters, trialId, experimentId, attempt }`
 * as JSON to `url`, and the JSON response body is the result. A non-2xx status fails the trial
 * with the status and the start of the body; the request is aborted with the trial's signal.
 */
export function httpEvaluator(url: string, options: HttpEvaluatorOptions = {}): Evaluator {
  const snippetChars = options.bodySnippetChars ?? 500;
  return async (parameters, ctx) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
        body: JSON.stringify({ parameters, trialId: ctx.trialId, experimentId: ctx.experimentId, attempt: ctx.attempt }),
        signal: ctx.signal,
      });
    } catch (e) {
      // fetch says only "fetch failed"; its cause says why (connect ECONNREFUSED, ENOTFOUND, …).
      const cause = e instanceof Error && e.cause !== undefined ? ` (${messageOf(e.cause)})` : '';
      throw new EvaluatorFailure(`request to ${url} failed: ${messageOf(e)}${cause}`);
    }
    const body = await response.text();
    if (!response.ok) {
      throw new EvaluatorFailure(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url}: ${snippet(body, snippetChars)}`);
    }
    try {
      // Checked like any evaluator's value by executeTrial (normalizeResult).
      return JSON.parse(body) as EvaluatorReturn;
    } catch {
      throw new EvaluatorFailure(`response from ${url} is not JSON: ${snippet(body, snippetChars)}`);
    }
  };
}

function snippet(text: string, chars: number): string {
  const flat = text.trim();
  if (!flat) return '(empty body)';
  return flat.length > chars ? `${flat.slice(0, chars)}…` : flat;
}
