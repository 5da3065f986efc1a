/**
 * Asserts that a contract call reverted with a given custom error and arguments, whether viem
 * decoded the revert itself or only the raw revert data reached it (hardhat's in-process `eth_call`).
 */
import { expect } from "chai";
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Abi,
  type Hex,
} from "viem";

function revertData(error: unknown): Hex | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    const data = (current as { data?: unknown }).data;
    if (typeof data === "string" && /^0x[0-9a-fA-F]*$/.test(data)) return data as Hex;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export async function expectRevert(
  promise: Promise<unknown>,
  abi: Abi,
  errorName: string,
  args: readonly unknown[],
): Promise<void> {
  try {
    await promise;
  } catch (error) {
    let decoded: { errorName: string; args: readonly unknown[] | undefined } | undefined;
    if (error instanceof BaseError) {
      const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
      if (reverted instanceof ContractFunctionRevertedError && reverted.data)
        decoded = { errorName: reverted.data.errorName, args: reverted.data.args };
    }
    if (!decoded) {
      const data = revertData(error);
      if (!data) throw error;
      const result = decodeErrorResult({ abi, data });
      decoded = { errorName: result.errorName, args: result.args };
    }
    expect(decoded.errorName, "custom error").to.equal(errorName);
    expect(decoded.args ?? [], "custom error arguments").to.deep.equal(args);
    return;
  }
  expect.fail(`expected a revert with ${errorName}, but the call succeeded`);
}
