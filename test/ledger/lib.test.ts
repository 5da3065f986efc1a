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

import { InvalidFieldError } from "../../lib/errors";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { buildRelayBatch, type CollectedSignature } from "../../lib/ledger/relayBatch";
import { signObservation } from "../../lib/ledger/typedData";
import { ledgerAbiParameters } from "../../lib/ledger/types";
import { chainOf, hashOf, headerAt, linkOf, loadLedgerFixture, streamOf } from "./fixture";

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

describe("lib/ledger", function () {
  it("mirrors the contract's SignedObservation and WitnessSignature ABI shapes", async function () {
    const artifact = await hre.artifacts.readArtifact("EveryChannelObservationLedger");
    const submit = artifact.abi.find(
      (e: { type: string; name?: string }) =>
        e.type === "function" && e.name === "submitSignedAttestations",
    ) as { inputs: readonly (AbiParameter & { components: readonly AbiParameter[] })[] };
    const strip = (p: unknown): unknown =>
      Array.isArray(p)
        ? p.map(strip)
        : p !== null && typeof p === "object"
          ? Object.fromEntries(
              Object.entries(p as Record<string, unknown>)
                .filter(([k]) => k !== "internalType")
                .map(([k, v]) => [k, strip(v)]),
            )
          : p;
    expect(strip(submit.inputs[0]!.components)).to.deep.equal(
      strip(ledgerAbiParameters.SignedObservation.components),
    );
  });

  describe("readObservationLedgerDomain", function () {
    const ledger = "0x00000000000000000000000000000000000000aa" as const;
    it("reads and checks the ledger's domain", async function () {
      const domain = await readObservationLedgerDomain(
        clientAnsweringDomain([
          "0x0f",
          "EveryChannelObservationLedger",
          "1",
          10n,
          ledger,
          zeroHash,
          [],
        ]),
        ledger,
      );
      expect(domain).to.deep.equal({
        name: "EveryChannelObservationLedger",
        version: "1",
        chainId: 10n,
        verifyingContract: getAddress(ledger),
      });
    });

    for (const [field, values] of [
      ["eip712Domain.name", ["0x0f", "EveryChannelRail", "1", 10n, ledger, zeroHash, []]],
      [
        "eip712Domain.version",
        ["0x0f", "EveryChannelObservationLedger", "2", 10n, ledger, zeroHash, []],
      ],
      [
        "eip712Domain.verifyingContract",
        [
          "0x0f",
          "EveryChannelObservationLedger",
          "1",
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
    async function collect() {
      const f = await loadLedgerFixture();
      const streams = [streamOf(1), streamOf(2)];
      const chains = streams.map((s) => chainOf(s, 100n, 4, undefined));
      const collected: CollectedSignature[] = [];
      for (const chain of chains)
        for (const header of chain)
          for (const w of f.witnesses.slice(0, 3))
            collected.push({
              header,
              witness: w.address,
              signature: await signObservation(w, f.domain, header),
            });
      return { f, streams, chains, collected };
    }

    it("groups, deduplicates and orders signatures so that one transaction finalizes every chain", async function () {
      const { f, streams, chains, collected } = await collect();
      const shuffled = [...collected].reverse();
      const items = buildRelayBatch({ signatures: [...shuffled, shuffled[0]!], heads: new Map() });
      expect(items).to.have.length(8);
      const sorted = [...streams].sort();
      const expectedOrder = sorted.flatMap((s) => chains[streams.indexOf(s)]!.map(hashOf));
      expect(items.map((i) => hashOf(i.header))).to.deep.equal(expectedOrder);
      for (const item of items) expect(item.signatures).to.have.length(3);
      expect((await f.ledger.simulate.submitSignedAttestations([items])).result).to.equal(8n);
    });

    it("gives the same batch whatever the order of the signatures", async function () {
      const { collected } = await collect();
      const reference = buildRelayBatch({ signatures: collected, heads: {} });
      await fc.assert(
        fc.property(
          fc.shuffledSubarray(collected, {
            minLength: collected.length,
            maxLength: collected.length,
          }),
          (shuffled) => {
            const items = buildRelayBatch({ signatures: shuffled, heads: {} });
            expect(items.map((i) => hashOf(i.header))).to.deep.equal(
              reference.map((i) => hashOf(i.header)),
            );
            expect(items.map((i) => i.signatures.length)).to.deep.equal(
              reference.map((i) => i.signatures.length),
            );
          },
        ),
        { numRuns: 200 },
      );
    });

    it("starts each stream at its finalized head and leaves out candidates it cannot reach", async function () {
      const { f, streams, chains, collected } = await collect();
      const orphan = headerAt(streams[0]!, 300n, {
        hash: hashOf(headerAt(streams[0]!, 299n, undefined)),
        sequence: 7n,
      });
      const orphanSignature = await signObservation(f.witnesses[0]!, f.domain, orphan);
      const heads = {
        [streams[0]!.toUpperCase().replace("0X", "0x") as Hex]: hashOf(chains[0]![1]!),
      };
      const items = buildRelayBatch({
        signatures: [
          ...collected,
          { header: orphan, witness: f.witnesses[0]!.address, signature: orphanSignature },
        ],
        heads,
      });
      const hashes = items.map((i) => hashOf(i.header));
      expect(hashes).to.include.members([
        hashOf(chains[0]![2]!),
        hashOf(chains[0]![3]!),
        ...chains[1]!.map(hashOf),
      ]);
      expect(hashes).to.not.include(hashOf(orphan));
      expect(hashes).to.not.include(hashOf(chains[0]![0]!));
      expect(linkOf(chains[0]![1]!).sequence).to.equal(1n);
    });

    it("returns no item for no signatures", function () {
      expect(buildRelayBatch({ signatures: [], heads: new Map() })).to.deep.equal([]);
    });

    it("throws InvalidFieldError naming a malformed witness or signature", async function () {
      const header = headerAt(streamOf(1), 100n, undefined);
      const witness = "0x00000000000000000000000000000000000000aa" as const;
      for (const [signature, w, field] of [
        ["0x", witness, "signatures[0].signature"],
        ["zz", witness, "signatures[0].signature"],
        ["0x01", "0x1234", "signatures[0].witness"],
      ] as const) {
        let thrown: unknown;
        try {
          buildRelayBatch({
            signatures: [{ header, witness: w as Address, signature: signature as Hex }],
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
