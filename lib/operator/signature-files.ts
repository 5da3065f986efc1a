/**
 * Witness signature files: what `witness:run --sign-to <dir>` writes and `relayer:run` reads. One
 * JSON file per (witness, slot), written atomically (temporary name, then rename), schema
 * `every.channel/witness-signature/v2`: the content in its canonical JSON form (`docs/types.md`),
 * its content hash and slot, the chain and ledger, the witness and its 65-byte EIP-712 signature
 * (0x-prefixed). One zod schema, shared by every reader.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Address, Hex } from "viem";
import { z } from "zod";

import { contentHash, observationSlot } from "../commitments/observation";
import { InvalidFieldError } from "../errors";
import type { ObservationContent } from "../types/abi";
import { addressJson, decimalJson, hex32Json, hexBytesJson } from "../validation/json-fields";
import { jsonSchemas, toJson } from "../validation/json-form";

export const SIGNATURE_FILE_SCHEMA = "every.channel/witness-signature/v2";

export interface WitnessSignatureFile {
  chainId: bigint;
  ledger: Address;
  witness: Address;
  contentHash: Hex;
  slot: Hex;
  content: ObservationContent;
  signature: Hex;
}

/** The signature file's schema. */
export const signatureFileSchema = z
  .object({
    schema: z.literal(SIGNATURE_FILE_SCHEMA),
    chainId: decimalJson,
    ledger: addressJson,
    witness: addressJson,
    contentHash: hex32Json,
    slot: hex32Json,
    content: jsonSchemas.ObservationContent,
    signature: hexBytesJson(),
  })
  .strict();

/** The file name of a witness's signature in a slot. */
export function signatureFileName(witness: Address, slot: Hex): string {
  return `${slot.slice(2, 18)}-${witness.toLowerCase().slice(2, 12)}-${slot.slice(2)}.json`;
}

/** The JSON text of a signature file. */
export function signatureFileJson(file: WitnessSignatureFile): string {
  const json = {
    schema: SIGNATURE_FILE_SCHEMA,
    chainId: file.chainId.toString(),
    ledger: file.ledger,
    witness: file.witness,
    contentHash: file.contentHash,
    slot: file.slot,
    content: toJson("ObservationContent", file.content, "content"),
    signature: file.signature,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** Writes a signature file into `dir` atomically; returns its path. */
export async function writeSignatureFile(dir: string, file: WitnessSignatureFile): Promise<string> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, signatureFileName(file.witness, file.slot));
  const temporary = path.join(dir, `.${path.basename(target)}.${process.pid}.tmp`);
  await writeFile(temporary, signatureFileJson(file));
  await rename(temporary, target);
  return target;
}

/** Why a parsed signature file is refused: the JSON path of the field, its value and the problem. */
export interface SignatureFileProblem {
  /** The field's JSON path (`$` for the whole value). */
  readonly field: string;
  readonly value: unknown;
  readonly problem: string;
}

/**
 * Checks a parsed signature file: schema, and that the content hash and slot are the content's.
 * Returns the file, or the first problem naming its field.
 */
export function checkSignatureFile(
  json: unknown,
): { ok: true; file: WitnessSignatureFile } | ({ ok: false } & SignatureFileProblem) {
  const parsed = signatureFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    let value: unknown = json;
    for (const key of issue?.path ?? [])
      value = (value as Record<string | number, unknown> | undefined)?.[key];
    return {
      ok: false,
      field: issue?.path.join(".") || "$",
      value,
      problem: issue?.message ?? "invalid",
    };
  }
  const file = parsed.data;
  const hash = contentHash(file.content);
  if (hash !== file.contentHash)
    return notTheContents("contentHash", file.contentHash, "hash", hash);
  const slot = observationSlot(file.content.streamHash, file.content.epochHash);
  if (slot !== file.slot) return notTheContents("slot", file.slot, "slot", slot);
  return { ok: true, file };
}

/**
 * Checks a parsed signature file (`source` names it in errors): schema, and that the content hash
 * and slot are the content's.
 */
export function parseSignatureFile(json: unknown, source: string): WitnessSignatureFile {
  const checked = checkSignatureFile(json);
  if (!checked.ok)
    throw new InvalidFieldError(`${source}: ${checked.field}`, checked.value, checked.problem);
  return checked.file;
}

/** The refusal of a field that is not what the signed content gives. */
function notTheContents(
  field: string,
  value: Hex,
  what: string,
  expected: Hex,
): { ok: false } & SignatureFileProblem {
  return { ok: false, field, value, problem: `is not the content's ${what} (${expected})` };
}

/** Reads and checks a signature file (`parseSignatureFile`). */
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
  return parseSignatureFile(json, file);
}
