/**
 * Packs EOA witnesses' signatures into the 64-byte EIP-2098 compact form that
 * `submitCompactAttestations` reads (`r ‖ yParityAndS` per signature), turns a relay batch into
 * `CompactObservation[]`, and packs items into the call's two arguments (`contents`, and one group
 * per content in `signatures`: a count byte, then the signatures) or back.
 */
import {
  concatHex,
  isHex,
  numberToHex,
  parseSignature,
  serializeCompactSignature,
  signatureToCompactSignature,
  size,
  sliceHex,
  type Hex,
} from "viem";

import { InvalidFieldError } from "../errors";
import {
  buildRelayBatch,
  type BuildRelayBatchParameters,
  type CollectedSignature,
} from "./relayBatch";
import type { ObservationContent } from "../types/abi";
import type { CompactObservation, SignedObservation } from "./types";

/** Bytes of one compact signature in `CompactObservation.signatures`. */
export const COMPACT_SIGNATURE_BYTES = 64;

/** Most signatures one item can carry: its group's count is one byte. */
export const MAX_COMPACT_SIGNATURES_PER_ITEM = 255;

/**
 * The 64-byte EIP-2098 form of a 65-byte ECDSA signature (`r ‖ s ‖ v`, v 27/28 or 0/1) or of a
 * signature already compact; throws `InvalidFieldError` naming `field` for anything else (an
 * ERC-1271 wallet's signature cannot be made compact: relay it with `submitSignedAttestations`).
 */
export function toCompactSignature(signature: Hex, field = "signature"): Hex {
  if (!isHex(signature, { strict: true }))
    throw new InvalidFieldError(field, signature, "not a hex string");
  const length = size(signature);
  if (length === COMPACT_SIGNATURE_BYTES) return signature.toLowerCase() as Hex;
  if (length !== 65)
    throw new InvalidFieldError(field, signature, `${length} bytes, expected 65 (or 64 compact)`);
  let parsed: ReturnType<typeof parseSignature>;
  try {
    parsed = parseSignature(signature);
  } catch (cause) {
    throw new InvalidFieldError(field, signature, `not an ECDSA signature (${String(cause)})`);
  }
  return serializeCompactSignature(signatureToCompactSignature(parsed));
}

/** Concatenates the compact form of each signature, in order (`CompactObservation.signatures`). */
export function packCompactSignatures(signatures: readonly Hex[]): Hex {
  if (signatures.length === 0)
    throw new InvalidFieldError("signatures", "[]", "no signature to pack");
  return concatHex(signatures.map((s, i) => toCompactSignature(s, `signatures[${i}]`)));
}

/** A `SignedObservation` as a `CompactObservation` (its witnesses must be EOAs). */
export function toCompactObservation(item: SignedObservation): CompactObservation {
  return {
    content: item.content,
    signatures: packCompactSignatures(item.signatures.map((s) => s.signature)),
  };
}

/**
 * `buildRelayBatch` for `submitCompactAttestations`: the same items in the same order, each with
 * its signatures packed. Every collected signature must be an EOA's 65-byte (or 64-byte) ECDSA
 * signature.
 */
export function buildCompactRelayBatch(
  parameters: BuildRelayBatchParameters,
): CompactObservation[] {
  return buildRelayBatch(parameters).map(toCompactObservation);
}

export type { CollectedSignature };

/** The arguments of `submitCompactAttestations(contents, signatures)`. */
export type CompactBatchArguments = readonly [
  contents: readonly ObservationContent[],
  signatures: Hex,
];

/**
 * The two arguments of `submitCompactAttestations` for `items`, in order: the contents, and the
 * concatenation of one group per item (a count byte, then the item's 64-byte signatures). Throws
 * `InvalidFieldError` naming `items` (empty) or `items[i].signatures` (not hex, not a non-zero whole
 * number of compact signatures, or more than 255 of them).
 */
export function packCompactBatch(items: readonly CompactObservation[]): CompactBatchArguments {
  if (items.length === 0) throw new InvalidFieldError("items", "[]", "no item to pack");
  const groups: Hex[] = [];
  items.forEach((item, i) => {
    const field = `items[${i}].signatures`;
    const { signatures } = item;
    if (!isHex(signatures, { strict: true }))
      throw new InvalidFieldError(field, signatures, "not a hex string");
    const length = size(signatures);
    const count = length / COMPACT_SIGNATURE_BYTES;
    if (length === 0 || !Number.isInteger(count))
      throw new InvalidFieldError(
        field,
        signatures,
        `${length} bytes, expected a non-zero multiple of ${COMPACT_SIGNATURE_BYTES}`,
      );
    if (count > MAX_COMPACT_SIGNATURES_PER_ITEM)
      throw new InvalidFieldError(
        field,
        `${count} signatures`,
        `at most ${MAX_COMPACT_SIGNATURES_PER_ITEM} per item`,
      );
    groups.push(numberToHex(count, { size: 1 }), signatures.toLowerCase() as Hex);
  });
  return [items.map((item) => item.content), concatHex(groups)];
}

/**
 * The items of `submitCompactAttestations(contents, signatures)`, for instance decoded from a
 * transaction's calldata: the inverse of `packCompactBatch`. Throws `InvalidFieldError` naming
 * `signatures` with the content index and byte offset where the groups stop matching the contents,
 * as the ledger's `MalformedCompactSignatures` does.
 */
export function unpackCompactBatch(
  contents: readonly ObservationContent[],
  signatures: Hex,
): CompactObservation[] {
  if (!isHex(signatures, { strict: true }))
    throw new InvalidFieldError("signatures", signatures, "not a hex string");
  const total = size(signatures);
  const items: CompactObservation[] = [];
  let at = 0;
  contents.forEach((content, i) => {
    if (at >= total)
      throw new InvalidFieldError("signatures", `offset ${at}`, `no group for contents[${i}]`);
    const count = Number.parseInt(sliceHex(signatures, at, at + 1, { strict: true }).slice(2), 16);
    const end = at + 1 + count * COMPACT_SIGNATURE_BYTES;
    if (count === 0 || end > total)
      throw new InvalidFieldError(
        "signatures",
        `offset ${at}`,
        `contents[${i}]'s group of ${count} signatures does not fit in ${total} bytes`,
      );
    items.push({ content, signatures: sliceHex(signatures, at + 1, end, { strict: true }) });
    at = end;
  });
  if (at !== total)
    throw new InvalidFieldError(
      "signatures",
      `offset ${at}`,
      `${total - at} bytes after the last of ${contents.length} groups`,
    );
  return items;
}
