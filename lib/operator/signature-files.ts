/**
 * Witness signature files: what `witness:run --sign-to <dir>` writes and `relayer:run` reads. One
 * JSON file per (witness, slot), written atomically (temporary name, then rename), schema
 * `every.channel/witness-signature/v1`. Integers are decimal strings, hashes 0x-prefixed lower-case.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { getAddress, type Address, type Hex } from "viem";
import { z } from "zod";

import { observationHash, observationSlot } from "../commitments/observation";
import { InvalidFieldError } from "../errors";
import type { ObservationHeader } from "../types/abi";

export const SIGNATURE_FILE_SCHEMA = "every.channel/witness-signature/v1";

export interface WitnessSignatureFile {
  chainId: bigint;
  ledger: Address;
  witness: Address;
  observationHash: Hex;
  slot: Hex;
  header: ObservationHeader;
  signature: Hex;
}

const hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits")
  .transform((v) => v.toLowerCase() as Hex);
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address")
  .transform((v) => getAddress(v));
const uint64 = z
  .string()
  .regex(/^[0-9]+$/, "must be a decimal integer string")
  .transform((v) => BigInt(v))
  .refine((v) => v < 1n << 64n, "must fit in a uint64");

const fileSchema = z
  .object({
    schema: z.literal(SIGNATURE_FILE_SCHEMA),
    chainId: z
      .string()
      .regex(/^[0-9]+$/, "must be a decimal integer string")
      .transform((v) => BigInt(v)),
    ledger: address,
    witness: address,
    observationHash: hex32,
    slot: hex32,
    header: z
      .object({
        streamHash: hex32,
        epochHash: hex32,
        parentObservationHash: hex32,
        dataRoot: hex32,
        locatorHash: hex32,
        observedUnixMs: uint64,
        sequence: uint64,
      })
      .strict(),
    signature: z
      .string()
      .regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex bytes")
      .transform((v) => v as Hex),
  })
  .strict();

/** The file name of a witness's signature in a slot. */
export function signatureFileName(witness: Address, slot: Hex): string {
  return `${slot.slice(2, 18)}-${witness.toLowerCase().slice(2, 12)}-${slot.slice(2)}.json`;
}

/** Writes a signature file into `dir` atomically; returns its path. */
export async function writeSignatureFile(dir: string, file: WitnessSignatureFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, signatureFileName(file.witness, file.slot));
  const json = {
    schema: SIGNATURE_FILE_SCHEMA,
    chainId: file.chainId.toString(),
    ledger: file.ledger,
    witness: file.witness,
    observationHash: file.observationHash,
    slot: file.slot,
    header: {
      ...file.header,
      observedUnixMs: file.header.observedUnixMs.toString(),
      sequence: file.header.sequence.toString(),
    },
    signature: file.signature,
  };
  const temporary = path.join(dir, `.${path.basename(target)}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(json, null, 2)}\n`);
  await rename(temporary, target);
  return target;
}

/** Reads and checks a signature file: schema, and that the hash and slot are the header's. */
export async function readSignatureFile(file: string): Promise<WitnessSignatureFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new InvalidFieldError(
      file,
      "(file)",
      `not readable JSON (${cause instanceof Error ? cause.message : String(cause)})`,
    );
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = `${file}: ${issue?.path.join(".") || "$"}`;
    let value: unknown = json;
    for (const key of issue?.path ?? [])
      value = (value as Record<string | number, unknown> | undefined)?.[key];
    throw new InvalidFieldError(field, value, issue?.message ?? "invalid");
  }
  const value = parsed.data;
  const hash = observationHash(value.header);
  if (hash !== value.observationHash) {
    throw new InvalidFieldError(
      `${file}: observationHash`,
      value.observationHash,
      `is not the header's hash (${hash})`,
    );
  }
  const slot = observationSlot(value.header.streamHash, value.header.epochHash);
  if (slot !== value.slot)
    throw new InvalidFieldError(`${file}: slot`, value.slot, `is not the header's slot (${slot})`);
  return value;
}
