import { expect } from "chai";

import { expectEvents } from "../support/events";
import {
  ATTESTATION_PATHS,
  attestVia,
  bits,
  chainOf,
  finalizeWithQuorum,
  hashOf,
  headerAt,
  linkOf,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

/** Behaviours every attestation path shares: by transaction, relayed, and relayed in a batch. */
describe("EveryChannelObservationLedger attestation paths", function () {
  for (const path of ATTESTATION_PATHS) {
    describe(`by ${path}`, function () {
      it("finalizes the first observation of a stream at quorum and makes it the head", async function () {
        const f = await loadLedgerFixture();
        const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
        const logs = await attestVia(f, path, genesis!, f.witnesses.slice(0, 3));
        const events = logs.length;
        expect(events).to.be.greaterThan(0);
        const finalized = {
          eventName: "ObservationFinalized",
          args: {
            observationHash: hashOf(genesis!),
            streamHash: genesis!.streamHash,
            slot: slotOf(genesis!),
            sequence: 0n,
            witnesses: bits(0, 1, 2),
          },
        };
        const proposed = {
          eventName: "ObservationProposed",
          args: {
            observationHash: hashOf(genesis!),
            streamHash: genesis!.streamHash,
            slot: slotOf(genesis!),
            header: genesis!,
          },
        };
        const attested = (i: number) => ({
          eventName: "ObservationAttested",
          args: { observationHash: hashOf(genesis!), witness: f.witnesses[i]!.address },
        });
        expectEvents(
          f.ledger,
          logs,
          path === "relayed"
            ? [proposed, finalized]
            : [proposed, attested(0), attested(1), finalized],
        );
        expect(await f.ledger.read.finalizedHead([genesis!.streamHash])).to.deep.equal([
          hashOf(genesis!),
          0n,
          genesis!.observedUnixMs,
        ]);
        expect(await f.ledger.read.slotStatus([slotOf(genesis!)])).to.deep.equal([
          2,
          hashOf(genesis!),
          0n,
        ]);
        expect(
          await f.ledger.read.candidateStatus([slotOf(genesis!), hashOf(genesis!)]),
        ).to.deep.equal([2, 0n, 3n]);
        expect(await f.ledger.read.attestationsOf([hashOf(genesis!)])).to.deep.equal([]);
      });

      it("does not finalize below quorum and records the attestations", async function () {
        const f = await loadLedgerFixture();
        const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
        await attestVia(f, path, genesis!, f.witnesses.slice(0, 2));
        expect(
          await f.ledger.read.candidateStatus([slotOf(genesis!), hashOf(genesis!)]),
        ).to.deep.equal([1, 2n, 3n]);
        expect(await f.ledger.read.slotStatus([slotOf(genesis!)])).to.deep.equal([
          1,
          `0x${"0".repeat(64)}`,
          bits(0, 1),
        ]);
        expect(await f.ledger.read.attestationsOf([hashOf(genesis!)])).to.deep.equal(
          f.witnesses.slice(0, 2).map((w) => w.address),
        );
        expect((await f.ledger.read.finalizedHead([genesis!.streamHash]))[0]).to.equal(
          `0x${"0".repeat(64)}`,
        );
      });

      it("finalizes an extension of the head: parent is the head, sequence + 1, later epoch", async function () {
        const f = await loadLedgerFixture();
        const [genesis, next] = chainOf(streamOf(1), 100n, 2, undefined);
        await finalizeWithQuorum(f, genesis!);
        await attestVia(f, path, next!, f.witnesses.slice(2, 5));
        expect(await f.ledger.read.finalizedHead([next!.streamHash])).to.deep.equal([
          hashOf(next!),
          1n,
          next!.observedUnixMs,
        ]);
      });

      it("keeps a candidate with quorum open while its parent is not the head (speculation)", async function () {
        const f = await loadLedgerFixture();
        const [genesis, next] = chainOf(streamOf(1), 100n, 2, undefined);
        await attestVia(f, path, next!, f.witnesses.slice(0, 3));
        expect(await f.ledger.read.candidateStatus([slotOf(next!), hashOf(next!)])).to.deep.equal([
          1,
          3n,
          3n,
        ]);
        await finalizeWithQuorum(f, genesis!);
        // Attested again once its parent is the head, it finalizes.
        await attestVia(f, path, next!, [f.witnesses[3]!]);
        expect((await f.ledger.read.finalizedHead([next!.streamHash]))[0]).to.equal(hashOf(next!));
      });

      for (const [name, make] of [
        [
          "whose sequence is not the head's plus one",
          (p: { hash: `0x${string}`; sequence: bigint }) => ({
            ...headerAt(streamOf(1), 101n, p),
            sequence: 2n,
          }),
        ],
        [
          "whose epoch is not later than the head's",
          (p: { hash: `0x${string}`; sequence: bigint }) => ({
            ...headerAt(streamOf(1), 101n, p),
            observedUnixMs: 0n,
          }),
        ],
        [
          "whose parent is not the head",
          (p: { hash: `0x${string}`; sequence: bigint }) =>
            headerAt(streamOf(1), 101n, {
              ...p,
              hash: hashOf(headerAt(streamOf(1), 99n, undefined)),
            }),
        ],
      ] as const) {
        it(`never finalizes a candidate ${name}`, async function () {
          const f = await loadLedgerFixture();
          const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
          await finalizeWithQuorum(f, genesis!);
          const bad = make(linkOf(genesis!));
          await attestVia(f, path, bad, f.witnesses.slice(0, 4));
          expect(await f.ledger.read.candidateStatus([slotOf(bad), hashOf(bad)])).to.deep.equal([
            1,
            4n,
            3n,
          ]);
          expect((await f.ledger.read.finalizedHead([bad.streamHash]))[0]).to.equal(
            hashOf(genesis!),
          );
        });
      }

      it("does not count a witness removed after it attested, and counts it again once re-added", async function () {
        const f = await loadLedgerFixture();
        const [genesis] = chainOf(streamOf(1), 100n, 1, undefined);
        await attestVia(f, path, genesis!, f.witnesses.slice(0, 2));
        await f.registry.write.removeWitness([f.witnesses[0]!.address]);
        expect(
          await f.ledger.read.candidateStatus([slotOf(genesis!), hashOf(genesis!)]),
        ).to.deep.equal([1, 1n, 3n]);
        await attestVia(f, path, genesis!, [f.witnesses[2]!]);
        expect((await f.ledger.read.finalizedHead([genesis!.streamHash]))[0]).to.equal(
          `0x${"0".repeat(64)}`,
        );
        await f.registry.write.addWitness([f.witnesses[0]!.address]);
        await attestVia(f, path, genesis!, [f.witnesses[3]!]);
        expect((await f.ledger.read.finalizedHead([genesis!.streamHash]))[0]).to.equal(
          hashOf(genesis!),
        );
      });
    });
  }
});
