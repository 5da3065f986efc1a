// The error boundary of every task. A refused input reaches the operator as one line naming it, and
// the process exits with status 1, on every host; `--show-stack-traces` shows the cause as well.
//
// Hardhat 2's CLI prints each error itself and then, when it thinks it runs on a CI server, the
// whole error with its stack and its cause's stack. It thinks so on any Linux host without
// DISPLAY or WAYLAND_DISPLAY (`isRunningOnCiServer` in hardhat/internal/util/ci-detection), that
// is on every capture node and on the L2's own host, and it decides once, when its CLI module
// loads. So a refusal must not reach Hardhat's handler: the boundary wraps `hre.run`, and when the
// task the command line asked for fails with a refusal it prints the line itself, sets the exit
// status and returns. Tasks run from other code (tests, scripts, other tasks) still throw. The
// command line's own argument errors (a missing `--archive`) are raised before the task runs: the
// boundary holds them back and raises them inside it, as the task's first step.
import path from "node:path";

import { ArgumentsParser } from "hardhat/internal/cli/ArgumentsParser";
import { HardhatError } from "hardhat/internal/core/errors";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment, RunTaskFunction } from "hardhat/types";

import { flushOutput, writeWhole } from "../lib/cli/output";
import { EveryChannelError } from "../lib/errors";

export const PLUGIN_NAME = "every.channel";

/** Runs a task action, turning library errors into `HardhatPluginError`s that keep the cause. */
export async function reportErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof EveryChannelError) {
      throw new HardhatPluginError(PLUGIN_NAME, error.shortMessage, error);
    }
    throw error;
  }
}

/**
 * The one line a refusal prints, or undefined for an error that is not a refusal (a bug: Hardhat
 * prints it with its stack). Refusals are the library's errors and Hardhat's own (a missing or
 * malformed argument, a plugin's complaint).
 */
export function refusalLine(error: unknown): string | undefined {
  if (error instanceof EveryChannelError) return `Error: ${error.shortMessage}`;
  if (HardhatPluginError.isHardhatPluginError(error)) {
    return error.pluginName === PLUGIN_NAME
      ? `Error: ${error.message}`
      : `Error in plugin ${error.pluginName}: ${error.message}`;
  }
  if (HardhatError.isHardhatError(error)) return `Error ${error.message}`;
  return undefined;
}

/** True when this process is Hardhat's command line (`npx hardhat …`), not a library user. */
function isHardhatCli(): boolean {
  const main = require.main?.filename;
  if (main === undefined) return false;
  return path.dirname(main) === path.dirname(require.resolve("hardhat/internal/cli/cli"));
}

/** An argument error of the command line's task, raised again once that task runs. */
let heldArgumentError: unknown;

/** Makes Hardhat's parser hold back a task's argument errors (see `heldArgumentError`). */
function holdArgumentErrors(): void {
  const parse = ArgumentsParser.prototype
    .parseTaskArguments as ArgumentsParser["parseTaskArguments"] & {
    holding?: true;
  };
  if (parse.holding === true) return;
  ArgumentsParser.prototype.parseTaskArguments = Object.assign(
    function (this: ArgumentsParser, ...args: Parameters<ArgumentsParser["parseTaskArguments"]>) {
      try {
        return parse.apply(this, args);
      } catch (error) {
        if (!HardhatError.isHardhatError(error)) throw error;
        heldArgumentError = error;
        return {};
      }
    },
    { holding: true as const },
  );
}

/**
 * Wraps `hre.run` so that the outermost task of a `npx hardhat` process (the one on its command
 * line) prints a refusal as one line and exits non-zero, and so that everything it printed has left
 * the process before Hardhat's CLI calls `process.exit`.
 */
export function installErrorBoundary(hre: HardhatRuntimeEnvironment): void {
  if (isHardhatCli()) holdArgumentErrors();
  // Hardhat passes a fourth argument (the caller's task profile) to nested runs: pass all along.
  const run = hre.run as (...args: unknown[]) => Promise<unknown>;
  let depth = 0;
  const bounded = async (...args: unknown[]): Promise<unknown> => {
    const entry = depth === 0 && isHardhatCli();
    depth += 1;
    try {
      if (entry && heldArgumentError !== undefined) {
        const error = heldArgumentError;
        heldArgumentError = undefined;
        throw error;
      }
      return await run(...args);
    } catch (error) {
      const line = entry ? refusalLine(error) : undefined;
      if (line === undefined || hre.hardhatArguments.showStackTraces) throw error;
      await writeWhole(`${line}\n`, process.stderr);
      process.exitCode = 1;
      return undefined;
    } finally {
      depth -= 1;
      if (entry) await flushOutput();
    }
  };
  (hre as { run: RunTaskFunction }).run = bounded as RunTaskFunction;
}
