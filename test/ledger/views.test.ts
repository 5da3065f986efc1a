import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import {
  concatHex,
  encodeAbiParameters,
  encodeFunctionData,
  getAddress,
  hashDomain,
  keccak256,
  numberToHex,
  recoverTypedDataAddress,
  toHex,
  zeroAddress,
  zeroHash,
  type Hex,
} from "viem";

import { contentHash, observationHash, observationSlot } from "../../lib/commitments/observation";
import { packCompactBatch } from "../../lib/ledger/compactSignatures";
import { reportOf, signReport } from "../../lib/ledger/report";
import { packReport } from "../../lib/ledger/reportCalldata";
import {
  OBSERVATION_TYPE,
  observationDigest,
  observationTypedData,
  signObservation,
} from "../../lib/ledger/typedData";
import { abiParameters, type ObservationContent } from "../../lib/types/abi";
import { decodedEvents } from "../support/events";
import { expectRevert, revertData } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  contentAt,
  EPOCH_ZERO_UNIX_MS,
  finalizeWithQuorum,
  hashOf,
  headerOn,
  headOf,
  linkOn,
  loadLedgerFixture,
  MAX_FUTURE_MS,
  slotOf,
  streamOf,
  type Link,
} from "./fixture";

const STREAM = streamOf(1);
const UINT64_MAX = 2n ** 64n - 1n;

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const anyUint64 = fc.oneof(
  fc.constantFrom(0n, 1n, UINT64_MAX),
  fc.bigInt({ min: 0n, max: UINT64_MAX }),
);
/** Times every chain the tests run on has passed: 0 up to the fixture's epochs. */
const pastUnixMs = fc.oneof(
  fc.constantFrom(0n, 1n, EPOCH_ZERO_UNIX_MS),
  fc.bigInt({ min: 0n, max: EPOCH_ZERO_UNIX_MS }),
);
const contentArbitrary = (observed: fc.Arbitrary<bigint>): fc.Arbitrary<ObservationContent> =>
  fc.record({
    streamHash: bytes32,
    epochHash: bytes32,
    dataRoot: bytes32,
    locatorHash: bytes32,
    observedUnixMs: observed,
  });

/** The storage slot of `_heads[streamHash].position`, found by reading the ledger's storage. */
async function headPositionSlot(ledger: Hex, streamHash: Hex, head: Hex): Promise<Hex> {
  for (let index = 0n; index < 16n; ++index) {
    const base = keccak256(
      encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [streamHash, index]),
    );
    const value = (await hre.network.provider.send("eth_getStorageAt", [ledger, base])) as Hex;
    if (value === head) return numberToHex(BigInt(base) + 1n, { size: 32 });
  }
  throw new Error("no _heads mapping slot holds the head");
}

/**
 * Finalizes `genesis` as its stream's first head and returns a setter of that head's sequence in
 * storage (`_heads[stream].position`, observed time kept): how the tests reach sequence 2**64 - 1.
 */
async function headWithSequence(
  f: Awaited<ReturnType<typeof loadLedgerFixture>>,
  genesis: ObservationContent,
) {
  await finalizeWithQuorum(f, genesis);
  const head = linkOn(genesis, undefined);
  const position = await headPositionSlot(f.ledger.address, genesis.streamHash, head.hash);
  const setSequence = (sequence: bigint) =>
    hre.network.provider.send("hardhat_setStorageAt", [
      f.ledger.address,
      position,
      numberToHex((genesis.observedUnixMs << 64n) | sequence, { size: 32 }),
    ]);
  return { head, setSequence };
}

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

  it("exposes its registry, version, typehash, time tolerance and ERC-5267 domain (version 2)", async function () {
    const f = await loadLedgerFixture();
    expect(await f.ledger.read.registry()).to.equal(getAddress(f.registry.address));
    expect(await f.ledger.read.version()).to.equal("2.1.0");
    expect(await f.ledger.read.OBSERVATION_TYPEHASH()).to.equal(keccak256(toHex(OBSERVATION_TYPE)));
    expect(OBSERVATION_TYPE).to.equal(
      "Observation(bytes32 streamHash,bytes32 epochHash,bytes32 dataRoot,bytes32 locatorHash,uint64 observedUnixMs)",
    );
    expect(await f.ledger.read.MAX_FUTURE_MS()).to.equal(MAX_FUTURE_MS);
    const [fields, name, version, chainId, verifyingContract, salt, extensions] =
      await f.ledger.read.eip712Domain();
    expect([fields, name, version, chainId, verifyingContract, salt, extensions]).to.deep.equal([
      "0x0f",
      "EveryChannelObservationLedger",
      "2",
      31337n,
      getAddress(f.ledger.address),
      zeroHash,
      [],
    ]);
  });

  it("computes the EIP-712 digest of any content as the library and the EIP-712 formula do, and a witness's signature recovers to it", async function () {
    const f = await loadLedgerFixture();
    const separator = hashDomain({
      domain: f.domain,
      types: {
        EIP712Domain: [
          { name: "name", type: "string" },
          { name: "version", type: "string" },
          { name: "chainId", type: "uint256" },
          { name: "verifyingContract", type: "address" },
        ],
      },
    });
    await fc.assert(
      fc.asyncProperty(contentArbitrary(anyUint64), async (content) => {
        const digest = await f.ledger.read.observationDigest([content]);
        expect(digest).to.equal(observationDigest(f.domain, content));
        // hashStruct = keccak256(typehash ‖ abi.encode(content)): every field is one static word.
        const structHash = keccak256(
          concatHex([
            keccak256(toHex(OBSERVATION_TYPE)),
            encodeAbiParameters([abiParameters.ObservationContent], [content]),
          ]),
        );
        expect(digest).to.equal(keccak256(concatHex(["0x1901", separator, structHash])));
      }),
      { numRuns: 100 },
    );
    const content = contentAt(STREAM, 100n);
    const signature = await signObservation(f.witnesses[0]!, f.domain, content);
    expect(
      await recoverTypedDataAddress({ ...observationTypedData(f.domain, content), signature }),
    ).to.equal(getAddress(f.witnesses[0]!.address));
    // A wallet client (JSON-RPC account) signs the same bytes as the local account.
    const [, witness1] = await hre.viem.getWalletClients();
    expect(await signObservation(witness1!, f.domain, content)).to.equal(signature);
  });

  it("emits content hashes and slots equal to EveryChannelHashing and its TypeScript twins", async function () {
    const f = await loadLedgerFixture();
    const as = await f.ledgerAs(f.witnesses[0]!);
    const hashing = await hre.viem.deployContract("CommitmentsHarness", []);
    await fc.assert(
      fc.asyncProperty(contentArbitrary(pastUnixMs), async (content) => {
        const receipt = await f.receiptOf(await as.write.attest([content]));
        const [proposed] = decodedEvents(f.ledger, receipt.logs);
        expect(proposed?.eventName).to.equal("ObservationProposed");
        expect(proposed?.args.contentHash).to.equal(contentHash(content));
        expect(proposed?.args.contentHash).to.equal(await hashing.read.contentHash([content]));
        expect(proposed?.args.slot).to.equal(
          observationSlot(content.streamHash, content.epochHash),
        );
        expect(proposed?.args.slot).to.equal(
          await hashing.read.observationSlot([content.streamHash, content.epochHash]),
        );
        expect(proposed?.args.content).to.deep.equal(content);
      }),
      { numRuns: 60 },
    );
  });

  it("finalizes the header EveryChannelHashing hashes: the content with the head as parent and the next sequence, on the fast and the general path", async function () {
    const f = await loadLedgerFixture();
    const hashing = await hre.viem.deployContract("CommitmentsHarness", []);
    const pair = fc
      .tuple(contentArbitrary(pastUnixMs), bytes32, bytes32, fc.bigInt({ min: 1n, max: 10n ** 9n }))
      .map(([first, epochHash, dataRoot, delta]) => ({
        first,
        second: {
          ...first,
          epochHash,
          dataRoot,
          observedUnixMs: first.observedUnixMs + delta,
        },
      }));
    await fc.assert(
      fc.asyncProperty(pair, async ({ first, second }) => {
        let head: Link | undefined;
        for (const [i, content] of [first, second].entries()) {
          // The first by the compact fast path, the second by a relayed item (general path).
          const hash =
            i === 0
              ? await f.ledger.write.submitCompactAttestations(
                  packCompactBatch([await f.compact(content, f.witnesses.slice(0, 3))]),
                )
              : await f.ledger.write.submitSignedAttestations([
                  [await f.signed(content, f.witnesses.slice(2, 5))],
                ]);
          const [event] = decodedEvents(f.ledger, (await f.receiptOf(hash)).logs);
          const header = headerOn(content, head);
          expect(event?.eventName).to.equal("ObservationProposedAndFinalized");
          expect(event?.args.observationHash).to.equal(
            await hashing.read.observationHash([header]),
          );
          expect(event?.args.observationHash).to.equal(observationHash(header));
          head = linkOn(content, head);
        }
        expect(await f.ledger.read.finalizedHead([first.streamHash])).to.deep.equal(headOf(head!));
      }),
      { numRuns: 30 },
    );
  });

  it("refuses contents whose uint64 word carries dirty high bits, like the ABI decoder, on every entry point", async function () {
    const f = await loadLedgerFixture();
    const content = contentAt(STREAM, 100n);
    const observedWord = encodeAbiParameters([{ type: "uint64" }], [content.observedUnixMs]).slice(
      2,
    );
    const calls = [
      encodeFunctionData({ abi: f.ledger.abi, functionName: "attest", args: [content] }),
      encodeFunctionData({ abi: f.ledger.abi, functionName: "attestMany", args: [[content]] }),
      encodeFunctionData({ abi: f.ledger.abi, functionName: "observationDigest", args: [content] }),
      encodeFunctionData({ abi: f.ledger.abi, functionName: "candidateStatus", args: [content] }),
      encodeFunctionData({
        abi: f.ledger.abi,
        functionName: "submitCompactAttestations",
        args: packCompactBatch([await f.compact(content, f.witnesses.slice(0, 3))]),
      }),
      encodeFunctionData({
        abi: f.ledger.abi,
        functionName: "submitSignedAttestations",
        args: [[await f.signed(content, f.witnesses.slice(0, 3))]],
      }),
    ];
    for (const data of calls) {
      await f.publicClient.call({ to: f.ledger.address, data, account: f.witnesses[0]!.address });
      const at = data.indexOf(observedWord);
      expect(at, "the observedUnixMs word is in the calldata").to.be.greaterThan(0);
      // One bit above the 64 of the uint64.
      const dirty = `${data.slice(0, at + 47)}1${data.slice(at + 48)}` as Hex;
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
      expect(failure, "a call with a dirty uint64 must revert").to.not.equal(undefined);
      expect(revertData(failure)).to.equal(undefined);
    }
  });

  it("reports slots and contents in every state", async function () {
    const f = await loadLedgerFixture();
    const winner = contentAt(STREAM, 101n, 0);
    const rival = contentAt(STREAM, 101n, 1);
    const unseen = contentAt(STREAM, 101n, 2);
    const earlier = contentAt(STREAM, 100n);
    expect(await f.ledger.read.slotStatus([slotOf(winner)])).to.deep.equal([
      SLOT_STATUS_VALUE.empty,
      zeroHash,
      0n,
    ]);
    expect(await f.ledger.read.candidateStatus([winner])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.unknown,
      0n,
      3n,
      true,
    ]);
    await f.ledger.write.submitSignedAttestations([
      [await f.signed(rival, f.witnesses.slice(3, 5)), await f.signed(earlier, [f.witnesses[0]!])],
    ]);
    expect(await f.ledger.read.slotStatus([slotOf(rival)])).to.deep.equal([
      SLOT_STATUS_VALUE.open,
      zeroHash,
      0b11000n,
    ]);
    // Two of the others have not voted in the slot: the winner can still reach 3, not with fewer.
    expect(await f.ledger.read.candidateStatus([winner])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.unknown,
      0n,
      3n,
      true,
    ]);
    await f.registry.write.removeWitness([f.witnesses[4]!.address]);
    // A removed witness is still listed among the rival's attestations but no longer counted.
    expect(await f.ledger.read.attestationsOf([hashOf(rival)])).to.deep.equal(
      f.witnesses.slice(3, 5).map((w) => getAddress(w.address)),
    );
    expect(await f.ledger.read.candidateStatus([rival])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.open,
      1n,
      3n,
      true,
    ]);
    await finalizeWithQuorum(f, winner);
    expect(await f.ledger.read.slotStatus([slotOf(winner)])).to.deep.equal([
      SLOT_STATUS_VALUE.finalized,
      hashOf(winner),
      0n,
    ]);
    expect(await f.ledger.read.candidateStatus([winner])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.finalized,
      0n,
      3n,
      false,
    ]);
    expect(await f.ledger.read.candidateStatus([rival])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.superseded,
      1n,
      3n,
      false,
    ]);
    expect(await f.ledger.read.candidateStatus([unseen])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.superseded,
      0n,
      3n,
      false,
    ]);
    // An earlier epoch, open with one vote: the head passed it.
    expect(await f.ledger.read.candidateStatus([earlier])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.expired,
      1n,
      3n,
      false,
    ]);
    expect(
      await f.ledger.read.equivocation([slotOf(winner), f.witnesses[0]!.address]),
    ).to.deep.equal([zeroHash, zeroHash]);
    expect(await f.ledger.read.finalizedHead([streamOf(9)])).to.deep.equal([zeroHash, 0n, 0n]);
  });

  it("gives a head at sequence 2**64 - 1 no successor: every later content is expired, on every path", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    const { head, setSequence } = await headWithSequence(f, genesis);
    await setSequence(UINT64_MAX);
    expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal([
      head.hash,
      UINT64_MAX,
      genesis.observedUnixMs,
    ]);
    const [next, after] = [contentAt(STREAM, 101n), contentAt(STREAM, 102n)];
    expect(await f.ledger.read.candidateStatus([next])).to.deep.equal([
      CANDIDATE_STATUS_VALUE.expired,
      0n,
      3n,
      false,
    ]);
    // Compact fast path and relayed path: skipped.
    for (const call of [
      f.ledger.simulate.submitCompactAttestations(
        packCompactBatch([await f.compact(next, f.witnesses.slice(0, 3))]),
      ),
      f.ledger.simulate.submitSignedAttestations([[await f.signed(next, f.witnesses.slice(0, 3))]]),
    ])
      expect((await call).result).to.equal(0n);
    await f.ledger.write.submitSignedAttestations([
      [await f.signed(after, f.witnesses.slice(0, 2))],
    ]);
    await expectRevert(
      (await f.ledgerAs(f.witnesses[2]!)).write.attest([after]),
      f.ledger,
      "ObservationExpired",
      [hashOf(after), after.observedUnixMs, genesis.observedUnixMs],
    );
  });

  it("lets a report run up to sequence 2**64 - 1 and no further: the entries past it are left", async function () {
    const f = await loadLedgerFixture();
    const genesis = contentAt(STREAM, 100n);
    const { head, setSequence: setHeadSequence } = await headWithSequence(f, genesis);
    const contents = [101n, 102n, 103n].map((e) => contentAt(STREAM, e));
    const report = reportOf(contents);
    const signatures = await Promise.all(
      f.witnesses.slice(0, 3).map((w) => signReport(w, f.domain, report)),
    );
    // At 2**64 - 1 the head has no successor: nothing finalizes.
    await setHeadSequence(UINT64_MAX);
    expect((await f.ledger.simulate.submitReport(packReport(report, signatures))).result).to.equal(
      0n,
    );
    // At 2**64 - 2 one entry finalizes, at the last sequence; the other two stay unfinalized.
    await setHeadSequence(UINT64_MAX - 1n);
    await f.ledger.write.submitReport(packReport(report, signatures));
    const [, sequence, observed] = await f.ledger.read.finalizedHead([STREAM]);
    expect([sequence, observed]).to.deep.equal([UINT64_MAX, contents[0]!.observedUnixMs]);
    expect((await f.ledger.read.candidateStatus([contents[1]!]))[0]).to.equal(
      CANDIDATE_STATUS_VALUE.expired,
    );
  });
});
