/**
 * Packs EOA witnesses' signatures into the 64-byte EIP-2098 compact form that
 * `submitCompactAttestations` reads (`r ‖ yParityAndS` per signature, concatenated), and turns a
 * relay batch into `CompactObservation[]`.
 */
import {
  concatHex,
  isHex,
  parseSignature,
  serializeCompactSignature,
  signatureToCompactSignature,
  size,
  type Hex,
} from "viem";

import { InvalidFieldError } from "../errors";
import {
  buildRelayBatch,
  type BuildRelayBatchParameters,
  type CollectedSignature,
} from "./relayBatch";
import type { CompactObservation, SignedObservation } from "./types";

/** Bytes of one compact signature in `CompactObservation.signatures`. */
export const COMPACT_SIGNATURE_BYTES = 64;

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
    header: item.header,
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
