/**
 * The local `merkle+blake3` tree: the same RFC 6962 shape as `manifest-data-merkle-keccak256-v1`
 * (`lib/commitments/rfc6962.ts`) with BLAKE3 (32-byte output) as the hash:
 * leaf = BLAKE3(0x00 ‖ leaf), node = BLAKE3(0x01 ‖ left ‖ right). `ManifestBody.merkleRoot` is
 * {@link localManifestMerkleRoot} of the body.
 */
import { blake3 } from "@noble/hashes/blake3";
import type { Hex } from "viem";
import { z } from "zod";

import { dataTreeRoot } from "../commitments/manifest";
import { rfc6962Tree, type MerkleProof } from "../commitments/rfc6962";
import type { ManifestBody } from "../types/abi";
import { parseCanonical } from "../validation/errors";
import { valueSchemas } from "../validation/values";

const tree = rfc6962Tree((data) => blake3(data));

/** BLAKE3(0x00 ‖ leaf). */
export function localMerkleLeafHash(leaf: Hex): Hex {
  return tree.leafHash(leaf);
}

/** BLAKE3(0x01 ‖ left ‖ right). */
export function localMerkleNodeHash(left: Hex, right: Hex): Hex {
  return tree.nodeHash(left, right);
}

/** The `merkle+blake3` root over `leaves` in order; rejects an empty list. */
export function localMerkleRoot(leaves: readonly Hex[]): Hex {
  return tree.root(leaves);
}

/** The position-binding `merkle+blake3` inclusion proof of `leaves[index]`. */
export function localMerkleProof(leaves: readonly Hex[], index: number): MerkleProof {
  return tree.proof(leaves, index);
}

/** Whether `proof` shows `leaf` at `proof.index` of a `proof.treeSize`-leaf `merkle+blake3` tree. */
export function verifyLocalMerkleProof(parameters: {
  root: Hex;
  leaf: Hex;
  proof: MerkleProof;
}): boolean {
  return tree.verify(parameters);
}

/**
 * The local root a body carries in `merkleRoot`: for one variant the `merkle+blake3` root over its
 * chunk hashes; for several the root over the variant roots.
 */
export function localManifestMerkleRoot(body: Pick<ManifestBody, "variants">): Hex {
  parseCanonical(
    z.array(valueSchemas.ManifestVariant),
    body.variants,
    "ManifestBody",
    "body.variants",
  );
  return dataTreeRoot(body, localMerkleRoot);
}
