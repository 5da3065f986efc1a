/**
 * `manifest-data-merkle-keccak256-v1`: the RFC 6962-shaped Merkle tree (see `./rfc6962.ts`) with
 * keccak256. Solidity twin: `contracts/libraries/EveryChannelMerkle.sol`.
 */
import { keccak_256 } from "@noble/hashes/sha3";
import type { Hex } from "viem";

import { rfc6962Tree, type MerkleProof } from "./rfc6962";

export { EmptyMerkleTreeError, type MerkleProof } from "./rfc6962";

const tree = rfc6962Tree((data) => keccak_256(data));

/** keccak256(0x00 ‖ leaf). */
export function merkleLeafHash(leaf: Hex): Hex {
  return tree.leafHash(leaf);
}

/** keccak256(0x01 ‖ left ‖ right). */
export function merkleNodeHash(left: Hex, right: Hex): Hex {
  return tree.nodeHash(left, right);
}

/** The keccak Merkle root over `leaves` (32-byte values) in order; rejects an empty list. */
export function merkleRoot(leaves: readonly Hex[]): Hex {
  return tree.root(leaves);
}

/** The position-binding inclusion proof of `leaves[index]`. */
export function merkleProof(leaves: readonly Hex[], index: number): MerkleProof {
  return tree.proof(leaves, index);
}

export type VerifyMerkleProofParameters = { root: Hex; leaf: Hex; proof: MerkleProof };

/** Whether `proof` shows `leaf` at `proof.index` of a `proof.treeSize`-leaf tree with root `root`. */
export function verifyMerkleProof(parameters: VerifyMerkleProofParameters): boolean {
  return tree.verify(parameters);
}
