import { loadFixture } from "@nomicfoundation/hardhat-toolbox-viem/network-helpers";
import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { concat, keccak256, type Hex } from "viem";

import {
  EmptyMerkleTreeError,
  merkleLeafHash,
  merkleNodeHash,
  merkleProof,
  merkleRoot,
  verifyMerkleProof,
} from "../../lib/commitments/merkle";
import * as arb from "./arbitraries";
import { expectRevert } from "../support/revert";

const RUNS = 200;
const leavesArb = fc.oneof(
  fc.array(arb.bytes32, { minLength: 1, maxLength: 1 }),
  fc.array(arb.bytes32, { minLength: 1, maxLength: 70 }),
  fc
    .constantFrom(2, 4, 8, 16, 32, 33, 63, 64, 65)
    .chain((n) => fc.array(arb.bytes32, { minLength: n, maxLength: n })),
);
const withIndex = leavesArb.chain((leaves) =>
  fc.tuple(fc.constant(leaves), fc.integer({ min: 0, max: leaves.length - 1 })),
);

async function deployHarness() {
  return { harness: await hre.viem.deployContract("CommitmentsHarness") };
}

const leaf = (b: number): Hex => `0x${b.toString(16).padStart(2, "0").repeat(32)}`;

describe("manifest-data-merkle-keccak256-v1 (RFC 6962 shape, keccak256)", function () {
  it("hashes leaves as keccak256(0x00 ‖ leaf) and nodes as keccak256(0x01 ‖ left ‖ right)", async function () {
    const { harness } = await loadFixture(deployHarness);
    const [a, b] = [leaf(1), leaf(2)];
    expect(merkleLeafHash(a)).to.equal(keccak256(concat(["0x00", a])));
    expect(merkleNodeHash(a, b)).to.equal(keccak256(concat(["0x01", a, b])));
    expect(await harness.read.merkleLeafHash([a])).to.equal(merkleLeafHash(a));
    expect(await harness.read.merkleNodeHash([a, b])).to.equal(merkleNodeHash(a, b));
  });

  it("splits at the largest power of two smaller than n, carrying an unpaired subtree up", function () {
    const l = [1, 2, 3, 4, 5].map(leaf);
    const h = l.map(merkleLeafHash);
    const [h0, h1, h2, h3, h4] = h as [Hex, Hex, Hex, Hex, Hex];
    expect(merkleRoot(l.slice(0, 1))).to.equal(h0);
    expect(merkleRoot(l.slice(0, 2))).to.equal(merkleNodeHash(h0, h1));
    expect(merkleRoot(l.slice(0, 3))).to.equal(merkleNodeHash(merkleNodeHash(h0, h1), h2));
    const left4 = merkleNodeHash(merkleNodeHash(h0, h1), merkleNodeHash(h2, h3));
    expect(merkleRoot(l.slice(0, 4))).to.equal(left4);
    expect(merkleRoot(l)).to.equal(merkleNodeHash(left4, h4));
  });

  it("computes the same root on-chain for every list of leaves", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(leavesArb, async (leaves) => {
        expect(await harness.read.merkleRoot([leaves])).to.equal(merkleRoot(leaves));
      }),
      { numRuns: RUNS },
    );
  });

  it("rejects the root of an empty list with a typed error in TypeScript and a custom error on-chain", async function () {
    const { harness } = await loadFixture(deployHarness);
    expect(() => merkleRoot([])).to.throw(EmptyMerkleTreeError, "leaves");
    expect(() => merkleProof([], 0)).to.throw(EmptyMerkleTreeError);
    await expectRevert(harness.read.merkleRoot([[]]), harness.abi, "EmptyMerkleTree", []);
  });

  it("proofs made in TypeScript verify in TypeScript and on-chain, and yield the root", async function () {
    const { harness } = await loadFixture(deployHarness);
    await fc.assert(
      fc.asyncProperty(withIndex, async ([leaves, index]) => {
        const root = merkleRoot(leaves);
        const proof = merkleProof(leaves, index);
        const item = leaves[index]!;
        expect(proof.treeSize).to.equal(leaves.length);
        expect(verifyMerkleProof({ root, leaf: item, proof })).to.equal(true);
        const args = [proof.siblings, root, item, BigInt(index), BigInt(leaves.length)] as const;
        expect(await harness.read.verifyMerkleProof(args)).to.equal(true);
        expect(
          await harness.read.processMerkleProof([
            proof.siblings,
            item,
            BigInt(index),
            BigInt(leaves.length),
          ]),
        ).to.equal(root);
      }),
      { numRuns: RUNS },
    );
  });

  it("tampered proofs fail in TypeScript and on-chain: other leaf, sibling, position or path length", async function () {
    const { harness } = await loadFixture(deployHarness);
    const tamper = fc.constantFrom("leaf", "sibling", "index", "drop", "extend");
    await fc.assert(
      fc.asyncProperty(
        withIndex.filter(([leaves]) => leaves.length > 1),
        tamper,
        arb.bytes32,
        async ([leaves, index], how, noise) => {
          const root = merkleRoot(leaves);
          const honest = merkleProof(leaves, index);
          let item = leaves[index]!;
          let siblings = [...honest.siblings];
          let i = index;
          const size = leaves.length;
          if (how === "leaf") item = item === noise ? merkleLeafHash(noise) : noise;
          if (how === "sibling") {
            const s = siblings[0]!;
            siblings[0] = s === noise ? merkleLeafHash(noise) : noise;
          }
          if (how === "index") i = (index + 1) % leaves.length;
          if (how === "drop") siblings = siblings.slice(1);
          if (how === "extend") siblings = [...siblings, noise];
          // Moving a leaf only fails if the leaf at the new position differs; keep the case honest.
          fc.pre(
            !(
              how === "index" &&
              leaves[i] === item &&
              merkleProof(leaves, i).siblings.join() === siblings.join()
            ),
          );
          const proof = { index: i, treeSize: size, siblings };
          expect(verifyMerkleProof({ root, leaf: item, proof })).to.equal(false);
          expect(
            await harness.read.verifyMerkleProof([siblings, root, item, BigInt(i), BigInt(size)]),
          ).to.equal(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("binds the position: a proof never verifies at any other index, unlike sorted-pair trees", function () {
    fc.assert(
      fc.property(
        fc.uniqueArray(arb.bytes32, { minLength: 2, maxLength: 40 }),
        fc.nat(),
        (leaves, seed) => {
          const index = seed % leaves.length;
          const root = merkleRoot(leaves);
          const proof = merkleProof(leaves, index);
          for (let other = 0; other < leaves.length; other++) {
            if (other === index) continue;
            const moved = { ...proof, index: other };
            expect(verifyMerkleProof({ root, leaf: leaves[index]!, proof: moved })).to.equal(false);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("needs the tree size from a trusted source: the root alone does not fix it (RFC 9162)", function () {
    // The last leaf of a 3-leaf tree has the same audit path as leaf 1 of a 2-leaf tree whose right
    // leaf it is: both climb one level with a left sibling. Verifiers therefore take the size from
    // the committed manifest (its chunk count), never from the prover.
    const leaves = [leaf(1), leaf(2), leaf(3)];
    const root = merkleRoot(leaves);
    const proof = merkleProof(leaves, 2);
    expect(verifyMerkleProof({ root, leaf: leaf(3), proof })).to.equal(true);
    expect(
      verifyMerkleProof({ root, leaf: leaf(3), proof: { ...proof, index: 1, treeSize: 2 } }),
    ).to.equal(true);
    // With the true size, no other index verifies.
    for (const index of [0, 1])
      expect(verifyMerkleProof({ root, leaf: leaf(3), proof: { ...proof, index } })).to.equal(
        false,
      );
  });

  it("rejects an index outside the tree: false from verify, MalformedMerkleProof from processProof", async function () {
    const { harness } = await loadFixture(deployHarness);
    const leaves = [leaf(1), leaf(2), leaf(3)];
    const root = merkleRoot(leaves);
    const proof = merkleProof(leaves, 2);
    expect(verifyMerkleProof({ root, leaf: leaves[2]!, proof: { ...proof, index: 3 } })).to.equal(
      false,
    );
    expect(await harness.read.verifyMerkleProof([proof.siblings, root, leaf(3), 3n, 3n])).to.equal(
      false,
    );
    await expectRevert(
      harness.read.processMerkleProof([proof.siblings, leaf(3), 3n, 3n]),
      harness.abi,
      "MalformedMerkleProof",
      [3n, 3n, BigInt(proof.siblings.length)],
    );
    await expectRevert(
      harness.read.processMerkleProof([[...proof.siblings, leaf(9)], leaf(3), 2n, 3n]),
      harness.abi,
      "MalformedMerkleProof",
      [2n, 3n, BigInt(proof.siblings.length + 1)],
    );
  });

  it("names the bad leaf and the bad index in its typed errors", function () {
    expect(() => merkleRoot([leaf(1), "0x1234"])).to.throw("leaves[1]");
    expect(() => merkleProof([leaf(1)], 1)).to.throw("index");
    expect(() => merkleProof([leaf(1)], -1)).to.throw("index");
  });
});
