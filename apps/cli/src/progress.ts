import cliProgress from 'cli-progress';

/** A progress display for long runs: a bar on a terminal, a line per change otherwise. */
export interface Progress {
  update(done: number, best: number | null, failed: number): void;
  stop(): void;
}

export function createProgress(total: number, objective: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const fmtBest = (best: number | null): string => (best === null ? '-' : best.toPrecision(6));
  if (!stream.isTTY) {
    let last = '';
    return {
      update(done, best, failed) {
        const line = `${done}/${total} trials finished, ${failed} failed, best ${objective} ${fmtBest(best)}`;
        if (line !== last) stream.write(line + '\n');
        last = line;
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `{bar} {value}/{total} trials | best ${objective} {best} | failed {failed} | {duration_formatted}`, stream, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { best: '-', failed: 0 });
  return {
    update(done, best, failed) {
      bar.update(done, { best: fmtBest(best), failed });
    },
    stop() {
      bar.stop();
    },
  };
}
