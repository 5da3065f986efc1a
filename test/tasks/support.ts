// Running tasks in this process: what they print, how they refuse, and that nothing was sent.
import { expect } from "chai";
import hre from "hardhat";
import type { PublicClient } from "viem";

import { refusalLine } from "../../tasks/errors";

/** Runs a task and returns the lines it wrote to stdout (console.log included). */
export async function runTask(name: string, args: Record<string, unknown>): Promise<string[]> {
  let text = "";
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
    const callback = rest.find((r): r is () => void => typeof r === "function");
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    await hre.run(name, args);
  } finally {
    process.stdout.write = write;
  }
  return text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
}

/** The message of the task's refusal, checked to be one line. */
export async function refusal(name: string, args: Record<string, unknown>): Promise<string> {
  let error: unknown;
  try {
    await runTask(name, args);
  } catch (caught) {
    error = caught;
  }
  expect(error, `${name} refuses`).to.be.instanceOf(Error);
  const message = (error as Error).message;
  expect(message, `${name}: one line`).to.not.include("\n");
  // What the command line prints for it: this line alone (tasks/errors.ts).
  expect(refusalLine(error), `${name}: a refusal`).to.equal(`Error: ${message}`);
  return message;
}

/** Runs `action` and asserts that no block was mined meanwhile (nothing was sent). */
export async function expectNothingSent<T>(action: () => Promise<T>): Promise<T> {
  const client = (await hre.viem.getPublicClient()) as PublicClient;
  const before = await client.getBlockNumber();
  const result = await action();
  expect(await client.getBlockNumber(), "blocks mined").to.equal(before);
  return result;
}

/** An address that holds no contract on the in-process chain. */
export const NO_CODE = "0x000000000000000000000000000000000000dEaD";
