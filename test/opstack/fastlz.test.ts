import { expect } from "chai";
import fc from "fast-check";
import hre from "hardhat";
import { bytesToHex, hexToBytes, type Hex } from "viem";

import { InvalidFieldError } from "../../lib/errors";
import { flzCompress, flzCompressLength, flzDecompress } from "../../lib/opstack/fastlz";

// Published vectors: op-geth `core/types/rollup_cost_test.go` (`TestFlzCompressLen`), the same
// values the OP Stack node uses to price L1 data.
const EMPTY_LEGACY_TX: Hex = "0xdd80808094095e7baea6a6c7c4c2dfeb977efac326af552d878080808080";
// OP Mainnet tx 0x8eb9dd4eb6d33f4dc25fb015919e4b1e9f7542f9b0322bf6622e268cd116b594, signed RLP.
const OP_MAINNET_CONTRACT_CALL_TX: Hex = `0x${[
  "02f901550a758302df1483be21b88304743f94f8",
  "0e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8",
  "e41ef24f3f0000000000000000000000000000000000000000000000",
  "00000000000000006e000000000000000000000000af88d065e77c8c",
  "c2239327c5edb3a432268e5831000000000000000000000000000000",
  "000000000000000000000000000003c1e50000000000000000000000",
  "00000000000000000000000000000000000000000000000000000000",
  "000000000000000000000000000000000000000000000000a0000000",
  "00000000000000000000000000000000000000000000000000000000",
  "148c89ed219d02f1a5be012c689b4f5b731827bebe00000000000000",
  "0000000000c001a033fd89cb37c31b2cba46b6466e040c61fc9b2a36",
  "75a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f61",
  "0222e71b7cec06449cb922b93b6a12744e",
].join("")}`;

const PUBLISHED: ReadonlyArray<{ name: string; input: Uint8Array; size: number }> = [
  { name: "empty input", input: new Uint8Array(0), size: 0 },
  { name: "1000 bytes of 0x01", input: new Uint8Array(1000).fill(1), size: 21 },
  { name: "1000 zero bytes", input: new Uint8Array(1000), size: 21 },
  { name: "an empty legacy transaction", input: hexToBytes(EMPTY_LEGACY_TX), size: 31 },
  {
    name: "an OP Mainnet contract call",
    input: hexToBytes(OP_MAINNET_CONTRACT_CALL_TX),
    size: 202,
  },
];

/** Bytes shaped like calldata: runs of zeros, repeated words and random bytes. */
const calldataLike = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 0, maxLength: 40 }),
      fc.integer({ min: 1, max: 300 }).map((n) => new Uint8Array(n)),
      fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 80 }))
        .map(([unit, times]) => {
          const out = new Uint8Array(unit.length * times);
          for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
          return out;
        }),
    ),
    { minLength: 0, maxLength: 12 },
  )
  .map((parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  });

describe("FastLZ (OP Stack fastlzSize)", function () {
  for (const vector of PUBLISHED) {
    it(`compresses ${vector.name} to the published ${vector.size} bytes`, function () {
      expect(flzCompressLength(vector.input)).to.equal(vector.size);
      expect(flzCompress(vector.input).length).to.equal(vector.size);
    });
  }

  it("accepts hex as well as bytes and rejects malformed hex naming the field", function () {
    expect(flzCompressLength(OP_MAINNET_CONTRACT_CALL_TX)).to.equal(202);
    expect(() => flzCompressLength("0x123" as Hex))
      .to.throw(InvalidFieldError)
      .with.property("field", "data");
  });

  it("decompresses every compressed output back to its input", function () {
    fc.assert(
      fc.property(calldataLike, (input) => {
        const compressed = flzCompress(input);
        expect(compressed.length).to.equal(flzCompressLength(input));
        expect(bytesToHex(flzDecompress(compressed))).to.equal(bytesToHex(input));
      }),
      { numRuns: 400 },
    );
  });

  it("encodes matches longer than one token and runs longer than 8 KiB", function () {
    const long = new Uint8Array(20_000);
    for (let i = 0; i < long.length; i++) long[i] = (i * 7919) % 251 === 0 ? 1 : i % 3;
    const compressed = flzCompress(long);
    expect(bytesToHex(flzDecompress(compressed))).to.equal(bytesToHex(long));
  });

  it("rejects a truncated stream naming the offending token", function () {
    const compressed = flzCompress(hexToBytes(OP_MAINNET_CONTRACT_CALL_TX));
    expect(() => flzDecompress(compressed.slice(0, 5)))
      .to.throw(InvalidFieldError)
      .with.property("field", "data[0]");
  });

  describe("against the Solidity port (FastLzHarness)", function () {
    it("produces the same bytes for the published vectors", async function () {
      const harness = await hre.viem.deployContract("FastLzHarness");
      for (const vector of PUBLISHED) {
        const onChain = await harness.read.compress([bytesToHex(vector.input)]);
        expect(onChain, vector.name).to.equal(bytesToHex(flzCompress(vector.input)));
        expect(await harness.read.compressedLength([bytesToHex(vector.input)])).to.equal(
          BigInt(vector.size),
        );
      }
    });

    it("produces the same bytes for generated calldata-like inputs", async function () {
      const harness = await hre.viem.deployContract("FastLzHarness");
      await fc.assert(
        fc.asyncProperty(calldataLike, async (input) => {
          const onChain = await harness.read.compress([bytesToHex(input)]);
          expect(onChain).to.equal(bytesToHex(flzCompress(input)));
        }),
        { numRuns: 150 },
      );
    });
  });
});
