/**
 * Progress output of the smoke: a progress bar on a terminal, plain lines otherwise (logs, CI, pipes).
 */
import { SingleBar } from "cli-progress";

export interface Progress {
  /** Starts a phase of `total` units of work, labelled `label`. */
  start(label: string, total: number): void;
  /** Records `units` more units done. */
  advance(units?: number): void;
  /** Ends the current phase. */
  stop(): void;
}

export interface CreateProgressParameters {
  /** Where progress goes (default: process.stderr). */
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Force a bar (true) or plain lines (false); default: a bar exactly when `stream` is a TTY. */
  tty?: boolean;
  /** Plain mode prints a line every this many percent (default 10). */
  stepPercent?: number;
}

/** Progress that prints nothing. */
export const silentProgress: Progress = { start() {}, advance() {}, stop() {} };

/** A progress bar on a TTY, plain lines otherwise. */
export function createProgress(parameters: CreateProgressParameters = {}): Progress {
  const stream = parameters.stream ?? process.stderr;
  const tty = parameters.tty ?? ("isTTY" in stream && stream.isTTY === true);
  return tty ? barProgress(stream) : lineProgress(stream, parameters.stepPercent ?? 10);
}

function barProgress(stream: NodeJS.WritableStream): Progress {
  let bar: SingleBar | undefined;
  return {
    start(label, total) {
      bar = new SingleBar({
        stream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted} | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 200,
      });
      bar.start(total, 0);
    },
    advance(units = 1) {
      bar?.increment(units);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function lineProgress(stream: NodeJS.WritableStream, stepPercent: number): Progress {
  let label = "";
  let total = 0;
  let done = 0;
  let nextPercent = stepPercent;
  let started = 0;
  const line = (): void => {
    const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stream.write(`${label}: ${done}/${total} (${percent}%) ${seconds}s\n`);
  };
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      done = 0;
      nextPercent = stepPercent;
      started = Date.now();
      line();
    },
    advance(units = 1) {
      done += units;
      const percent = total === 0 ? 100 : (done * 100) / total;
      if (percent >= nextPercent && done < total) {
        line();
        while (nextPercent <= percent) nextPercent += stepPercent;
      }
    },
    stop() {
      line();
    },
  };
}
