/**
 * Revert assertions for viem calls and writes: the call must revert with the named custom error and
 * exactly the given arguments, decoded from the revert data with the contract's ABI (inherited and
 * library errors included, since they are part of the artifact ABI).
 *
 *   await expectRevert(ledger.write.attest([header]), ledger, "NotAWitness", [stranger]);
 */
import { expect } from "chai";
import { decodeErrorResult, isHex, type Abi, type Hex } from "viem";

/** Anything with an ABI: a hardhat-viem contract instance or `{ abi }`. */
export interface HasAbi {
  readonly abi: Abi;
}

/** Where the custom errors are looked up: a contract (anything with an ABI) or the ABI itself. */
export type ErrorAbi = HasAbi | Abi;

function abiOf(source: ErrorAbi): Abi {
  return "abi" in source ? source.abi : source;
}

/** The custom error a call reverted with. */
export interface DecodedRevert {
  readonly errorName: string;
  readonly args: readonly unknown[];
  readonly data: Hex;
}

/** Finds the raw revert data in a viem / hardhat error chain, or undefined when there is none. */
export function revertData(error: unknown): Hex | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const record = current as Record<string, unknown>;
    if (isHex(record.raw) && record.raw !== "0x") return record.raw;
    if (isHex(record.data) && record.data !== "0x") return record.data;
    const nested = record.data;
    if (nested !== null && typeof nested === "object") {
      const inner = (nested as Record<string, unknown>).data;
      if (isHex(inner) && inner !== "0x") return inner;
    }
    current = record.cause;
  }
  return undefined;
}

/** Awaits `promise`, expecting it to revert, and decodes the custom error with `contract`'s ABI. */
export async function captureRevert(
  promise: Promise<unknown>,
  contract: ErrorAbi,
): Promise<DecodedRevert> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) expect.fail("expected the call to revert, but it succeeded");
  const data = revertData(thrown);
  if (data === undefined) {
    expect.fail(
      `expected a custom-error revert, got an error without revert data: ${String(thrown)}`,
    );
  }
  const decoded = decodeErrorResult({ abi: abiOf(contract), data });
  return { errorName: decoded.errorName, args: decoded.args ?? [], data };
}

/** Normalizes values for comparison: addresses and hex strings lower-case, numbers as bigint. */
function normalize(value: unknown): unknown {
  if (typeof value === "string") return isHex(value) ? value.toLowerCase() : value;
  if (typeof value === "number") return BigInt(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/**
 * Asserts that `promise` reverts with the custom error `errorName` of `contract`'s ABI (or of the ABI
 * itself) and, when `args`
 * is given, exactly those arguments (addresses compared case-insensitively, numbers as bigint).
 */
export async function expectRevert(
  promise: Promise<unknown>,
  contract: ErrorAbi,
  errorName: string,
  args?: readonly unknown[],
): Promise<DecodedRevert> {
  const decoded = await captureRevert(promise, contract);
  expect(decoded.errorName, `custom error (args ${String(decoded.args)})`).to.equal(errorName);
  if (args !== undefined) {
    expect(normalize(decoded.args), `arguments of ${errorName}`).to.deep.equal(normalize(args));
  }
  return decoded;
}
