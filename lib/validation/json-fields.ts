/**
 * The zod schemas of the fields the operators' JSON files and the exchange's bodies share (witness
 * signature files, rail signatures, the witness journal, exchange requests): each rule and its
 * one-line message written once.
 */
import { getAddress, type Hex } from "viem";
import { z } from "zod";

/** A 20-byte address, `0x` and 40 hex digits in any case; parsed to its checksummed form. */
export const addressJson = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address")
  .transform((v) => getAddress(v));

/** A 32-byte hash, `0x` and 64 hex digits in any case; parsed to lower case. */
export const hex32Json = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits")
  .transform((v) => v.toLowerCase() as Hex);

/** A non-negative integer as a string of decimal digits; parsed to a bigint. */
export const decimalJson = z
  .string()
  .regex(/^[0-9]+$/, "must be a decimal integer string")
  .transform((v) => BigInt(v));

/** Bytes (a signature), `0x` and whole hex bytes, at most `maxBytes` of them when given. */
export function hexBytesJson(maxBytes?: number) {
  const bytes = z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes");
  const bounded =
    maxBytes === undefined
      ? bytes
      : bytes.max(2 + 2 * maxBytes, `must be at most ${maxBytes} bytes`);
  return bounded.transform((v) => v as Hex);
}
