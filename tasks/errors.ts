// Library errors reach the operator as one clear line (`Error in plugin every.channel: …`) instead
// of a stack trace; `--show-stack-traces` still shows the cause.
import { HardhatPluginError } from "hardhat/plugins";

import { EveryChannelError } from "../lib/errors";

export const PLUGIN_NAME = "every.channel";

/** Runs a task action, turning library errors into `HardhatPluginError`s. */
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
