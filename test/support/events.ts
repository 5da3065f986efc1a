/**
 * Event assertions: decode a receipt's logs with a contract's ABI and compare event names and
 * arguments exactly (addresses and hex case-insensitively, numbers as bigint).
 */
import { expect } from "chai";
import { parseEventLogs, type Abi, type Address, type Log } from "viem";

export interface ExpectedEvent {
  readonly eventName: string;
  readonly args: Readonly<Record<string, unknown>>;
}

function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  if (typeof value === "number") return BigInt(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

/** The events `contract` emitted in `logs`, decoded with its ABI, in log order. */
export function decodedEvents(
  contract: { readonly abi: Abi; readonly address: Address },
  logs: readonly Log[],
): ExpectedEvent[] {
  const own = logs.filter((l) => l.address.toLowerCase() === contract.address.toLowerCase());
  return parseEventLogs({ abi: contract.abi, logs: own as Log[] }).map((e) => ({
    eventName: e.eventName,
    args: (e.args ?? {}) as Record<string, unknown>,
  }));
}

/** Asserts that `contract` emitted exactly `expected` (names and arguments), in this order. */
export function expectEvents(
  contract: { readonly abi: Abi; readonly address: Address },
  logs: readonly Log[],
  expected: readonly ExpectedEvent[],
): void {
  const actual = decodedEvents(contract, logs);
  expect(normalize(actual)).to.deep.equal(normalize(expected));
}
