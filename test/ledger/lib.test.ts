import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import {
  createClient,
  custom,
  encodeAbiParameters,
  getAddress,
  zeroHash,
  type AbiParameter,
  type Address,
  type Hex,
} from "viem";

import { contentHash, headerContent } from "../../lib/commitments/observation";
import { InvalidFieldError } from "../../lib/errors";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { buildRelayBatch } from "../../lib/ledger/relayBatch";
import { observationTypes } from "../../lib/ledger/typedData";
import { ledgerAbiParameters } from "../../lib/ledger/types";
import { abiParameters, type ObservationContent } from "../../lib/types/abi";
import {
  collectSignatures,
  contentAt,
  hashOf,
  headerOn,
  linkOn,
  loadLedgerFixture,
  runOf,
  streamOf,
  type LedgerFixture,
} from "./fixture";

/** A client whose only answer is `eip712Domain()` returning the given values. */
function clientAnsweringDomain(
  values: readonly [Hex, string, string, bigint, Address, Hex, readonly bigint[]],
) {
  return createClient({
    transport: custom({
      async request({ method }: { method: string }) {
        if (method !== "eth_call") throw new Error(`unexpected ${method}`);
        return encodeAbiParameters(
          [
            { type: "bytes1" },
            { type: "string" },
            { type: "string" },
            { type: "uint256" },
            { type: "address" },
            { type: "bytes32" },
            { type: "uint256[]" },
          ],
          values,
        );
      },
    }),
  });
}

/** name/type/components of ABI parameters, without `internalType`. */
function strip(p: unknown): unknown {
  return Array.isArray(p)
    ? p.map(strip)
    : p !== null && typeof p === "object"
      ? Object.fromEntries(
          Object.entries(p as Record<string, unknown>)
            .filter(([k]) => k !== "internalType")
            .map(([k, v]) => [k, strip(v)]),
        )
      : p;
}

describe("lib/ledger", function () {
  it("mirrors the contract's SignedObservation, WitnessSignature and ObservationContent ABI shapes, and the EIP-712 Observation type lists the content's fields", async function () {
    const artifact = await hre.artifacts.readArtifact("EveryChannelObservationLedger");
    const inputsOf = (name: string) =>
      (
        artifact.abi.find(
          (e: { type: string; name?: string }) => e.type === "function" && e.name === name,
        ) as { inputs: readonly (AbiParameter & { components: readonly AbiParameter[] })[] }
      ).inputs;
    expect(strip(inputsOf("submitSignedAttestations")[0]!.components)).to.deep.equal(
      strip(ledgerAbiParameters.SignedObservation.components),
    );
    expect(strip(inputsOf("attest")[0]!.components)).to.deep.equal(
      strip(abiParameters.ObservationContent.components),
    );
    expect(strip(inputsOf("submitCompactAttestations")[0]!.components)).to.deep.equal(
      strip(abiParameters.ObservationContent.components),
    );
    expect(inputsOf("submitCompactAttestations")[1]!.type).to.equal("bytes");
    expect(strip(observationTypes.Observation)).to.deep.equal(
      strip(abiParameters.ObservationContent.components),
    );
  });

  it("headerContent drops the header's place in the chain: the content a header finalized", function () {
    const content = contentAt(streamOf(1), 100n);
    const parent = linkOn(contentAt(streamOf(1), 99n), undefined);
    expect(headerContent(headerOn(content, parent))).to.deep.equal(content);
    expect(contentHash(headerContent(headerOn(content, undefined)))).to.equal(hashOf(content));
  });

  describe("readObservationLedgerDomain", function () {
    const ledger = "0x00000000000000000000000000000000000000aa" as const;
    it("reads and checks the ledger's domain", async function () {
      const domain = await readObservationLedgerDomain(
        clientAnsweringDomain([
          "0x0f",
          "EveryChannelObservationLedger",
          "2",
          10n,
          ledger,
          zeroHash,
          [],
        ]),
        ledger,
      );
      expect(domain).to.deep.equal({
        name: "EveryChannelObservationLedger",
        version: "2",
        chainId: 10n,
        verifyingContract: getAddress(ledger),
      });
    });

    for (const [field, values] of [
      ["eip712Domain.name", ["0x0f", "EveryChannelRail", "2", 10n, ledger, zeroHash, []]],
      [
        "eip712Domain.version",
        ["0x0f", "EveryChannelObservationLedger", "1", 10n, ledger, zeroHash, []],
      ],
      [
        "eip712Domain.verifyingContract",
        [
          "0x0f",
          "EveryChannelObservationLedger",
          "2",
          10n,
          "0x00000000000000000000000000000000000000bb",
          zeroHash,
          [],
        ],
      ],
    ] as const) {
      it(`throws InvalidFieldError naming ${field} when it is not the ledger's`, async function () {
        let thrown: unknown;
        try {
          await readObservationLedgerDomain(clientAnsweringDomain(values), ledger);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(InvalidFieldError);
        expect((thrown as InvalidFieldError).field).to.equal(field);
      });
    }
  });

  describe("buildRelayBatch", function () {
    async function collectTwoStreams() {
      const f = await loadLedgerFixture();
      const streams = [streamOf(1), streamOf(2)];
      const runs = streams.map((s) => runOf(s, 100n, 4));
      const collected = await collectSignatures(f, runs.flat(), [0, 1, 2]);
      return { f, streams, runs, collected };
    }

    it("groups, deduplicates and orders signatures by stream then time, so that one transaction finalizes every stream's run", async function () {
      const { f, streams, runs, collected } = await collectTwoStreams();
      const shuffled = [...collected].reverse();
      const items = buildRelayBatch({ signatures: [...shuffled, shuffled[0]!], heads: new Map() });
      expect(items).to.have.length(8);
      const sorted = [...streams].sort();
      const expectedOrder = sorted.flatMap((s) => runs[streams.indexOf(s)]!.map(hashOf));
      expect(items.map((i) => hashOf(i.content))).to.deep.equal(expectedOrder);
      for (const item of items) expect(item.signatures).to.have.length(3);
      expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(8n);
    });

    it("gives the same batch whatever the order of the signatures", async function () {
      const { collected } = await collectTwoStreams();
      const reference = buildRelayBatch({ signatures: collected, heads: new Map() });
      fc.assert(
        fc.property(
          fc.shuffledSubarray(collected, {
            minLength: collected.length,
            maxLength: collected.length,
          }),
          (shuffled) => {
            expect(buildRelayBatch({ signatures: shuffled, heads: new Map() })).to.deep.equal(
              reference,
            );
          },
        ),
        { numRuns: 200 },
      );
    });

    it("leaves out contents at or before their stream's head, whatever the case of the stream hash", async function () {
      const { streams, runs, collected } = await collectTwoStreams();
      const heads = new Map<Hex, bigint>([
        [streams[0]!.toUpperCase().replace("0X", "0x") as Hex, runs[0]![1]!.observedUnixMs],
      ]);
      const items = buildRelayBatch({ signatures: collected, heads });
      const hashes = items.map((i) => hashOf(i.content));
      expect(hashes).to.have.members([
        hashOf(runs[0]![2]!),
        hashOf(runs[0]![3]!),
        ...runs[1]!.map(hashOf),
      ]);
    });

    it("puts the best-supported rival of an epoch first, so that it is the one that finalizes", async function () {
      const f = await loadLedgerFixture();
      const stream = streamOf(1);
      const intact = contentAt(stream, 100n);
      const damaged = contentAt(stream, 100n, 1);
      const next = contentAt(stream, 101n);
      const items = buildRelayBatch({
        signatures: [
          ...(await collectSignatures(f, [damaged], [0, 1])),
          ...(await collectSignatures(f, [intact], [2, 3, 4])),
          ...(await collectSignatures(f, [next], [0, 1, 2, 3, 4])),
        ],
        heads: new Map(),
      });
      expect(items.map((i) => i.content)).to.deep.equal([intact, damaged, next]);
      expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(2n);
      // Equal support: ordered by content hash, whatever the input order.
      const tied = [contentAt(stream, 102n, 1), contentAt(stream, 102n, 2)];
      const signatures = await collectSignatures(f, tied, [0]);
      const order = buildRelayBatch({ signatures, heads: new Map() }).map((i) => hashOf(i.content));
      expect(order).to.deep.equal(tied.map(hashOf).sort());
      expect(
        buildRelayBatch({ signatures: [...signatures].reverse(), heads: new Map() }).map((i) =>
          hashOf(i.content),
        ),
      ).to.deep.equal(order);
    });

    it("returns no item for no signatures", function () {
      expect(buildRelayBatch({ signatures: [], heads: new Map() })).to.deep.equal([]);
    });

    it("throws InvalidFieldError naming a malformed witness or signature", async function () {
      const content = contentAt(streamOf(1), 100n);
      const witness = "0x00000000000000000000000000000000000000aa" as const;
      for (const [signature, w, field] of [
        ["0x", witness, "signatures[0].signature"],
        ["zz", witness, "signatures[0].signature"],
        ["0x01", "0x1234", "signatures[0].witness"],
      ] as const) {
        let thrown: unknown;
        try {
          buildRelayBatch({
            signatures: [{ content, witness: w as Address, signature: signature as Hex }],
            heads: new Map(),
          });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).to.be.instanceOf(InvalidFieldError);
        expect((thrown as InvalidFieldError).field).to.equal(field);
      }
    });
  });
});
