/**
 * The RFC 6962 (Certificate Transparency) Merkle tree shape, over any 32-byte hash function, with
 * RFC 9162 (section 2.1.3) inclusion proofs. Both trees of the project use it:
 * `manifest-data-merkle-keccak256-v1` (keccak256, `lib/commitments/merkle.ts`) and the local
 * `merkle+blake3` (`lib/local/merkle-blake3.ts`).
 *
 * - leaf hash = H(0x00 ‖ leaf), node hash = H(0x01 ‖ left ‖ right) (domain-separated);
 * - the tree over n > 1 leaves splits at k, the largest power of two smaller than n:
 *   root = node(root(leaves[0..k)), root(leaves[k..n)));
 * - a proof is the audit path (siblings from the leaf up) plus the leaf's index and the tree size;
 *   verification derives each left/right step from (index, treeSize), so for a given tree size a
 *   proof verifies at exactly one position. As in RFC 9162 the root does not commit to the size:
 *   verifiers take `treeSize` from a trusted commitment (the manifest's chunk count), not the prover;
 * - the root of an empty list is undefined: {@link EmptyMerkleTreeError}.
 */
import { bytesToHex, hexToBytes, type Hex } from "viem";

import { InvalidFieldError } from "../errors";

/** A 32-byte hash function over bytes. */
export type HashFunction = (data: Uint8Array) => Uint8Array;

/** An inclusion proof: the leaf's position, the tree size and the audit path from the leaf up. */
export interface MerkleProof {
  index: number;
  treeSize: number;
  siblings: readonly Hex[];
}

/** The root (or a proof) of an empty list of leaves was asked for. */
export class EmptyMerkleTreeError extends InvalidFieldError {
  override name = "EmptyMerkleTreeError";
  constructor(field: string) {
    super(
      field,
      [],
      "a Merkle tree has at least one leaf (the root of an empty list is undefined)",
    );
  }
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** Checks that every leaf is 32 bytes of 0x hex and returns them as bytes. */
export function leafBytes(leaves: readonly Hex[], field: string): Uint8Array[] {
  if (!Array.isArray(leaves)) throw new InvalidFieldError(field, leaves, "expected an array");
  return leaves.map((leaf, i) => {
    if (typeof leaf !== "string" || !BYTES32.test(leaf))
      throw new InvalidFieldError(`${field}[${i}]`, leaf, "expected 32 bytes of 0x-prefixed hex");
    return hexToBytes(leaf as Hex);
  });
}

function checkBytes32(value: unknown, field: string): Uint8Array {
  if (typeof value !== "string" || !BYTES32.test(value))
    throw new InvalidFieldError(field, value, "expected 32 bytes of 0x-prefixed hex");
  return hexToBytes(value as Hex);
}

function checkCount(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidFieldError(field, value, "expected a non-negative safe integer");
  return value;
}

/** The largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** An RFC 6962-shaped tree over `hash`. */
export function rfc6962Tree(hash: HashFunction) {
  const leafHash = (leaf: Uint8Array): Uint8Array => {
    const buf = new Uint8Array(33);
    buf[0] = 0x00;
    buf.set(leaf, 1);
    return hash(buf);
  };
  const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array => {
    const buf = new Uint8Array(65);
    buf[0] = 0x01;
    buf.set(left, 1);
    buf.set(right, 33);
    return hash(buf);
  };
  // MTH(D[lo..hi)) of RFC 6962 section 2.1.
  const subtreeRoot = (leaves: readonly Uint8Array[], lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return leafHash(leaves[lo] as Uint8Array);
    const k = splitPoint(hi - lo);
    return nodeHash(subtreeRoot(leaves, lo, lo + k), subtreeRoot(leaves, lo + k, hi));
  };
  // PATH(m, D[lo..hi)) of RFC 6962 section 2.1.1, siblings from the leaf up.
  const path = (leaves: readonly Uint8Array[], m: number, lo: number, hi: number): Uint8Array[] => {
    if (hi - lo === 1) return [];
    const k = splitPoint(hi - lo);
    if (m < k) return [...path(leaves, m, lo, lo + k), subtreeRoot(leaves, lo + k, hi)];
    return [...path(leaves, m - k, lo + k, hi), subtreeRoot(leaves, lo, lo + k)];
  };

  return {
    /** H(0x00 ‖ leaf). */
    leafHash(leaf: Hex): Hex {
      return bytesToHex(leafHash(checkBytes32(leaf, "leaf")));
    },
    /** H(0x01 ‖ left ‖ right). */
    nodeHash(left: Hex, right: Hex): Hex {
      return bytesToHex(nodeHash(checkBytes32(left, "left"), checkBytes32(right, "right")));
    },
    /** The root over `leaves` in order; throws {@link EmptyMerkleTreeError} for an empty list. */
    root(leaves: readonly Hex[]): Hex {
      const bytes = leafBytes(leaves, "leaves");
      if (bytes.length === 0) throw new EmptyMerkleTreeError("leaves");
      return bytesToHex(subtreeRoot(bytes, 0, bytes.length));
    },
    /** The inclusion proof of `leaves[index]`. */
    proof(leaves: readonly Hex[], index: number): MerkleProof {
      const bytes = leafBytes(leaves, "leaves");
      if (bytes.length === 0) throw new EmptyMerkleTreeError("leaves");
      checkCount(index, "index");
      if (index >= bytes.length)
        throw new InvalidFieldError("index", index, `out of range for ${bytes.length} leaves`);
      return {
        index,
        treeSize: bytes.length,
        siblings: path(bytes, index, 0, bytes.length).map((s) => bytesToHex(s)),
      };
    },
    /**
     * Whether `proof` shows `leaf` at `proof.index` of a `proof.treeSize`-leaf tree with root `root`
     * (RFC 9162 section 2.1.3.2). Malformed values throw; a wrong proof returns false.
     */
    verify(args: { root: Hex; leaf: Hex; proof: MerkleProof }): boolean {
      const expected = checkBytes32(args.root, "root");
      let r = leafHash(checkBytes32(args.leaf, "leaf"));
      const index = checkCount(args.proof.index, "proof.index");
      const treeSize = checkCount(args.proof.treeSize, "proof.treeSize");
      const siblings = leafBytes(args.proof.siblings, "proof.siblings");
      if (index >= treeSize) return false;
      let fn = index;
      let sn = treeSize - 1;
      for (const p of siblings) {
        if (sn === 0) return false;
        if (fn % 2 === 1 || fn === sn) {
          r = nodeHash(p, r);
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        } else {
          r = nodeHash(r, p);
        }
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
      return sn === 0 && bytesToHex(r) === bytesToHex(expected);
    },
  };
}
