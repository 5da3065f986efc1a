/**
 * Manifest keccak commitments. Solidity twins: `EveryChannelHashing.sol` (body, envelope) and
 * `EveryChannelMerkle.sol` (data root).
 */
import { encodeAbiParameters, keccak256, type Hex } from "viem";

import { InvalidFieldError } from "../errors";
import { abiParameters, type Manifest, type ManifestBody } from "../types/abi";
import { assertCanonicalValue } from "../validation/values";
import { merkleRoot } from "./merkle";

/** `manifest-body-abi-keccak256-v1` = keccak256(abi.encode(ManifestBody)). */
export function manifestBodyHash(body: ManifestBody): Hex {
  assertCanonicalValue("ManifestBody", body, "body");
  return keccak256(encodeAbiParameters([abiParameters.ManifestBody], [body]));
}

/** `manifest-envelope-abi-keccak256-v1` = keccak256(abi.encode(Manifest)). */
export function manifestEnvelopeHash(manifest: Manifest): Hex {
  assertCanonicalValue("Manifest", manifest, "manifest");
  return keccak256(encodeAbiParameters([abiParameters.Manifest], [manifest]));
}

/**
 * The leaves of a manifest body's data tree, as `(variants) => leaves` with a tree-root function:
 * one variant → its chunks' BLAKE3 hashes; several → each variant's root. Shared by the keccak
 * data root and the local `merkle+blake3` root, which differ only in the hash.
 */
export function dataTreeRoot(
  body: Pick<ManifestBody, "variants">,
  root: (leaves: readonly Hex[]) => Hex,
  field = "body",
): Hex {
  if (body.variants.length === 0)
    throw new InvalidFieldError(`${field}.variants`, [], "a manifest has at least one variant");
  const variantRoots = body.variants.map((variant, v) => {
    if (variant.chunks.length === 0)
      throw new InvalidFieldError(
        `${field}.variants[${v}].chunks`,
        [],
        "a variant has at least one chunk",
      );
    return root(variant.chunks.map((chunk) => chunk.blake3));
  });
  if (variantRoots.length === 1) return variantRoots[0] as Hex;
  return root(variantRoots);
}

/**
 * `manifest-data-merkle-keccak256-v1` of a body: for one variant, the keccak Merkle root over its
 * chunks' BLAKE3 hashes in order; for several, the root over the variant roots in order.
 */
export function manifestDataRoot(body: ManifestBody): Hex {
  assertCanonicalValue("ManifestBody", body, "body");
  return dataTreeRoot(body, merkleRoot);
}
