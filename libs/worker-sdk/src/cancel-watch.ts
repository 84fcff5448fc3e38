/**
 * Polls `isCancelled` every `intervalMs` (the first time `intervalMs` after the start: a short
 * trial costs no poll) until stopped, and calls `onCancel` once when it answers true. Returns the
 * function that stops polling. Poll errors (Redis briefly away) are ignored.
 */
export function watchCancellation(isCancelled: () => Promise<boolean>, intervalMs: number, onCancel: () => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      if (await isCancelled()) {
        if (!stopped) onCancel();
        return;
      }
    } catch {
      /* try again next time */
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  timer = setTimeout(() => void tick(), intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
