import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import {
  encodeFunctionData,
  getAddress,
  hashTypedData,
  keccak256,
  recoverTypedDataAddress,
  toHex,
  zeroAddress,
  zeroHash,
  type Hex,
} from "viem";

import { observationHash, observationSlot } from "../../lib/commitments/observation";
import {
  OBSERVATION_TYPE,
  observationDigest,
  observationTypedData,
  signObservation,
} from "../../lib/ledger/typedData";
import type { ObservationHeader } from "../../lib/types/abi";
import { decodedEvents } from "../support/events";
import { expectRevert, revertData } from "../support/revert";
import {
  chainOf,
  finalizeWithQuorum,
  hashOf,
  headerAt,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const uint64 = fc.oneof(
  fc.constantFrom(0n, 1n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const headerArbitrary: fc.Arbitrary<ObservationHeader> = fc.record({
  streamHash: bytes32,
  epochHash: bytes32,
  parentObservationHash: fc.oneof(fc.constant(zeroHash), bytes32),
  dataRoot: bytes32,
  locatorHash: bytes32,
  observedUnixMs: uint64,
  sequence: uint64,
});

describe("EveryChannelObservationLedger views and commitments", function () {
  it("reverts the constructor with ZeroRegistry on the zero address", async function () {
    const artifact = await hre.artifacts.readArtifact("EveryChannelObservationLedger");
    await expectRevert(
      hre.viem.deployContract("EveryChannelObservationLedger", [zeroAddress]),
      { abi: artifact.abi },
      "ZeroRegistry",
      [],
    );
  });

  it("exposes its registry, version, typehash and ERC-5267 domain", async function () {
    const f = await loadLedgerFixture();
    expect(await f.ledger.read.registry()).to.equal(getAddress(f.registry.address));
    expect(await f.ledger.read.version()).to.equal("1.0.0");
    expect(await f.ledger.read.OBSERVATION_TYPEHASH()).to.equal(keccak256(toHex(OBSERVATION_TYPE)));
    const [fields, name, version, chainId, verifyingContract, salt, extensions] =
      await f.ledger.read.eip712Domain();
    expect([fields, name, version, chainId, verifyingContract, salt, extensions]).to.deep.equal([
      "0x0f",
      "EveryChannelObservationLedger",
      "1",
      31337n,
      getAddress(f.ledger.address),
      zeroHash,
      [],
    ]);
  });

  it("computes the EIP-712 digest the library computes, and a witness's signature recovers to it", async function () {
    const f = await loadLedgerFixture();
    await fc.assert(
      fc.asyncProperty(headerArbitrary, async (header) => {
        const digest = await f.ledger.read.observationDigest([header]);
        expect(digest).to.equal(observationDigest(f.domain, header));
        expect(digest).to.equal(hashTypedData(observationTypedData(f.domain, header)));
      }),
      { numRuns: 100 },
    );
    const header = headerAt(streamOf(1), 100n, undefined);
    const signature = await signObservation(f.witnesses[0]!, f.domain, header);
    expect(
      await recoverTypedDataAddress({ ...observationTypedData(f.domain, header), signature }),
    ).to.equal(getAddress(f.witnesses[0]!.address));
    // A wallet client (JSON-RPC account) signs the same bytes as the local account.
    const [, witness1] = await hre.viem.getWalletClients();
    expect(await signObservation(witness1!, f.domain, header)).to.equal(signature);
  });

  it("emits observation hashes and slots equal to EveryChannelHashing and its TypeScript twins", async function () {
    const f = await loadLedgerFixture();
    const as = await f.ledgerAs(f.witnesses[0]!);
    const hashing = await hre.viem.deployContract("CommitmentsHarness", []);
    await fc.assert(
      fc.asyncProperty(headerArbitrary, async (header) => {
        const hash = await as.write.attest([header]);
        const receipt = await f.publicClient.waitForTransactionReceipt({ hash });
        const [proposed] = decodedEvents(f.ledger, receipt.logs);
        expect(proposed?.eventName).to.equal("ObservationProposed");
        expect(proposed?.args.observationHash).to.equal(observationHash(header));
        expect(proposed?.args.slot).to.equal(observationSlot(header.streamHash, header.epochHash));
        expect(proposed?.args.observationHash).to.equal(
          await hashing.read.observationHash([header]),
        );
        expect(proposed?.args.slot).to.equal(
          await hashing.read.observationSlot([header.streamHash, header.epochHash]),
        );
        expect(proposed?.args.header).to.deep.equal(header);
      }),
      { numRuns: 60 },
    );
  });

  it("refuses headers whose uint64 fields carry dirty high bits, like the ABI decoder", async function () {
    const f = await loadLedgerFixture();
    const header = headerAt(streamOf(1), 100n, undefined);
    const clean = encodeFunctionData({ abi: f.ledger.abi, functionName: "attest", args: [header] });
    const digestCall = encodeFunctionData({
      abi: f.ledger.abi,
      functionName: "observationDigest",
      args: [header],
    });
    for (const data of [clean, digestCall]) {
      await f.publicClient.call({ to: f.ledger.address, data, account: f.witnesses[0]!.address });
    }
    // Word 6 (observedUnixMs) and word 7 (sequence) of the header, each with one bit above 64 set.
    for (const word of [5, 6]) {
      for (const data of [clean, digestCall]) {
        const offset = 2 + 8 + word * 64;
        const dirty = `${data.slice(0, offset)}01${data.slice(offset + 2)}` as Hex;
        let failure: unknown;
        try {
          await f.publicClient.call({
            to: f.ledger.address,
            data: dirty,
            account: f.witnesses[0]!.address,
          });
        } catch (error) {
          failure = error;
        }
        expect(failure, "call with a dirty uint64 must revert").to.not.equal(undefined);
        expect(revertData(failure)).to.equal(undefined);
      }
    }
  });

  it("reports slots and candidates in every state", async function () {
    const f = await loadLedgerFixture();
    const winner = headerAt(streamOf(1), 100n, undefined, 0);
    const rival = headerAt(streamOf(1), 100n, undefined, 1);
    const unseen = headerAt(streamOf(1), 100n, undefined, 2);
    expect(await f.ledger.read.slotStatus([slotOf(winner)])).to.deep.equal([0, zeroHash, 0n]);
    expect(await f.ledger.read.candidateStatus([slotOf(winner), hashOf(winner)])).to.deep.equal([
      0,
      0n,
      3n,
    ]);
    await f.ledger.write.submitSignedAttestations([
      [await f.signed(rival, f.witnesses.slice(3, 5))],
    ]);
    await f.registry.write.removeWitness([f.witnesses[4]!.address]);
    // A removed witness is still listed among the rival's attestations but no longer counted.
    expect(await f.ledger.read.attestationsOf([hashOf(rival)])).to.deep.equal(
      f.witnesses.slice(3, 5).map((w) => getAddress(w.address)),
    );
    expect(await f.ledger.read.candidateStatus([slotOf(rival), hashOf(rival)])).to.deep.equal([
      1,
      1n,
      3n,
    ]);
    await finalizeWithQuorum(f, winner);
    expect(await f.ledger.read.slotStatus([slotOf(winner)])).to.deep.equal([2, hashOf(winner), 0n]);
    expect(await f.ledger.read.candidateStatus([slotOf(winner), hashOf(winner)])).to.deep.equal([
      2,
      0n,
      3n,
    ]);
    expect(await f.ledger.read.candidateStatus([slotOf(rival), hashOf(rival)])).to.deep.equal([
      3,
      1n,
      3n,
    ]);
    expect(await f.ledger.read.candidateStatus([slotOf(unseen), hashOf(unseen)])).to.deep.equal([
      3,
      0n,
      3n,
    ]);
    expect(
      await f.ledger.read.equivocation([slotOf(winner), f.witnesses[0]!.address]),
    ).to.deep.equal([zeroHash, zeroHash]);
    expect(await f.ledger.read.finalizedHead([streamOf(9)])).to.deep.equal([zeroHash, 0n, 0n]);
    expect(chainOf(streamOf(1), 1n, 0, undefined)).to.deep.equal([]);
  });
});
