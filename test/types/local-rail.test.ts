import { blake3 } from "@noble/hashes/blake3";
import { expect } from "chai";
import fc from "fast-check";
import { bytesToHex, concat, hexToBytes, type Hex } from "viem";

import { merkleRoot } from "../../lib/commitments/merkle";
import {
  ed25519PublicKey,
  signManifestIdEd25519,
  verifyManifestIdEd25519,
} from "../../lib/local/ed25519";
import { canonicalManifestBodyJson } from "../../lib/local/jcs";
import { manifestId } from "../../lib/local/manifest-id";
import {
  localManifestMerkleRoot,
  localMerkleLeafHash,
  localMerkleNodeHash,
  localMerkleProof,
  localMerkleRoot,
  verifyLocalMerkleProof,
} from "../../lib/local/merkle-blake3";
import type { ManifestBody } from "../../lib/types/abi";
import { fromJson, toJson } from "../../lib/validation/json-form";
import * as arb from "./arbitraries";

const RUNS = 200;
const h = (b: number): Hex => `0x${b.toString(16).padStart(2, "0").repeat(32)}`;

const sampleBody: ManifestBody = {
  streamId: h(0xab),
  epochId: 289000000n,
  epochStartUnixMs: 1734000000000n,
  epochDurationMs: 6000,
  variants: [
    {
      name: "ts-original",
      chunks: [
        { index: 0, size: 1316000, blake3: h(1) },
        { index: 1, size: 1315812, blake3: h(2) },
      ],
    },
  ],
  psipBlake3: h(0),
  merkleRoot: h(0),
  publisher: { nodeId: h(0xcd), device: "hdhomerun-10a2b3c4" },
  createdUnixMs: 18446744073709551615n,
};

// RFC 8032 section 7.1, test 1.
const RFC8032_SECRET = "0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
const RFC8032_PUBLIC = "0xd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

describe("local rail: RFC 8785 JSON, BLAKE3 manifest_id, merkle+blake3, Ed25519", function () {
  describe("canonical JSON and manifest_id", function () {
    it("writes the body with sorted keys, hex without 0x and uint64 as decimal strings", function () {
      const text = canonicalManifestBodyJson(sampleBody);
      const chunk = (i: number, size: number, b: string) =>
        `{"blake3":"${b.repeat(32)}","index":${i},"size":${size}}`;
      expect(text).to.equal(
        `{"createdUnixMs":"18446744073709551615","epochDurationMs":6000,"epochId":"289000000",` +
          `"epochStartUnixMs":"1734000000000","merkleRoot":"${"00".repeat(32)}",` +
          `"psipBlake3":"${"00".repeat(32)}","publisher":{"device":"hdhomerun-10a2b3c4",` +
          `"nodeId":"${"cd".repeat(32)}"},"streamId":"${"ab".repeat(32)}",` +
          `"variants":[{"chunks":[${chunk(0, 1316000, "01")},${chunk(1, 1315812, "02")}],` +
          `"name":"ts-original"}]}`,
      );
    });

    it("manifest_id is BLAKE3 over the UTF-8 canonical JSON", function () {
      fc.assert(
        fc.property(arb.manifestBody, (body) => {
          const bytes = new TextEncoder().encode(canonicalManifestBodyJson(body));
          expect(manifestId(body)).to.equal(bytesToHex(blake3(bytes)));
        }),
        { numRuns: RUNS },
      );
    });

    it("the JSON form round-trips every well-formed body, so a reader recomputes the same manifest_id", function () {
      fc.assert(
        fc.property(arb.wellFormedBody, (body) => {
          const json = JSON.parse(JSON.stringify(toJson("ManifestBody", body)));
          const parsed = fromJson("ManifestBody", json);
          expect(parsed).to.deep.equal(body);
          expect(manifestId(parsed)).to.equal(manifestId(body));
        }),
        { numRuns: RUNS },
      );
    });

    it("manifest_id ignores key order and whitespace of the JSON it was read from", function () {
      const json = toJson("ManifestBody", sampleBody) as Record<string, unknown>;
      const reversed = Object.fromEntries(Object.entries(json).reverse());
      const reread = fromJson("ManifestBody", JSON.parse(JSON.stringify(reversed, null, 4)));
      expect(manifestId(reread)).to.equal(manifestId(sampleBody));
    });

    it("manifest_id changes when any chunk hash changes", function () {
      fc.assert(
        fc.property(arb.wellFormedBody, fc.nat(), arb.bytes32, (body, pick, other) => {
          const chunks = body.variants[0]!.chunks;
          const i = pick % chunks.length;
          fc.pre(chunks[i]!.blake3 !== other);
          const variants = [
            {
              ...body.variants[0]!,
              chunks: chunks.map((c, j) => (j === i ? { ...c, blake3: other } : c)),
            },
            ...body.variants.slice(1),
          ];
          expect(manifestId({ ...body, variants })).to.not.equal(manifestId(body));
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe("merkle+blake3", function () {
    it("hashes leaves as BLAKE3(0x00 ‖ leaf) and nodes as BLAKE3(0x01 ‖ left ‖ right)", function () {
      const [a, b, c] = [h(1), h(2), h(3)];
      const leafA = bytesToHex(blake3(hexToBytes(concat(["0x00", a]))));
      expect(localMerkleLeafHash(a)).to.equal(leafA);
      expect(localMerkleNodeHash(a, b)).to.equal(
        bytesToHex(blake3(hexToBytes(concat(["0x01", a, b])))),
      );
      expect(localMerkleRoot([a, b, c])).to.equal(
        localMerkleNodeHash(
          localMerkleNodeHash(localMerkleLeafHash(a), localMerkleLeafHash(b)),
          localMerkleLeafHash(c),
        ),
      );
      expect(localMerkleRoot([a, b, c])).to.not.equal(merkleRoot([a, b, c]));
    });

    it("inclusion proofs verify at their position and fail for another leaf or position", function () {
      fc.assert(
        fc.property(
          fc.uniqueArray(arb.bytes32, { minLength: 1, maxLength: 70 }),
          fc.nat(),
          (leaves, seed) => {
            const index = seed % leaves.length;
            const root = localMerkleRoot(leaves);
            const proof = localMerkleProof(leaves, index);
            expect(verifyLocalMerkleProof({ root, leaf: leaves[index]!, proof })).to.equal(true);
            const other = leaves[(index + 1) % leaves.length]!;
            if (leaves.length > 1) {
              expect(verifyLocalMerkleProof({ root, leaf: other, proof })).to.equal(false);
              const moved = { ...proof, index: (index + 1) % leaves.length };
              expect(verifyLocalMerkleProof({ root, leaf: leaves[index]!, proof: moved })).to.equal(
                false,
              );
            }
          },
        ),
        { numRuns: RUNS },
      );
    });

    it("the body's merkleRoot is the root over chunk hashes (one variant) or over variant roots", function () {
      fc.assert(
        fc.property(arb.wellFormedBody, (body) => {
          const roots = body.variants.map((v) => localMerkleRoot(v.chunks.map((c) => c.blake3)));
          expect(localManifestMerkleRoot(body)).to.equal(
            roots.length === 1 ? roots[0] : localMerkleRoot(roots),
          );
        }),
        { numRuns: RUNS },
      );
    });
  });

  describe("Ed25519 over manifest_id", function () {
    it("derives the RFC 8032 test-1 public key", function () {
      expect(ed25519PublicKey(RFC8032_SECRET)).to.equal(RFC8032_PUBLIC);
    });

    it("signs and verifies every manifest_id, and rejects another id, key or a flipped bit", function () {
      fc.assert(
        fc.property(
          arb.bytes32,
          arb.bytes32,
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.nat(63),
          (id, otherId, secret, bit) => {
            fc.pre(id !== otherId);
            const privateKey = bytesToHex(secret);
            const publicKey = ed25519PublicKey(privateKey);
            const signature = signManifestIdEd25519(id, privateKey);
            expect(verifyManifestIdEd25519({ manifestId: id, signature, publicKey })).to.equal(
              true,
            );
            expect(verifyManifestIdEd25519({ manifestId: otherId, signature, publicKey })).to.equal(
              false,
            );
            expect(
              verifyManifestIdEd25519({ manifestId: id, signature, publicKey: RFC8032_PUBLIC }),
            ).to.equal(publicKey === RFC8032_PUBLIC);
            const flipped = hexToBytes(signature);
            flipped[bit] = (flipped[bit] ?? 0) ^ 0x01;
            expect(
              verifyManifestIdEd25519({
                manifestId: id,
                signature: bytesToHex(flipped),
                publicKey,
              }),
            ).to.equal(false);
          },
        ),
        { numRuns: 200 },
      );
    });

    it("names the field when a key or signature has the wrong length", function () {
      expect(() => signManifestIdEd25519(h(1), "0x1234")).to.throw("privateKey");
      expect(() =>
        verifyManifestIdEd25519({ manifestId: h(1), signature: "0x00", publicKey: RFC8032_PUBLIC }),
      ).to.throw("signature");
    });
  });
});
