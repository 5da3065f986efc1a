import { expect } from "chai";
import hre from "hardhat";
import { zeroHash } from "viem";

import { expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  ATTESTATION_PATHS,
  attestedEvent,
  attestVia,
  bits,
  contentAt,
  deliversAtOnce,
  finalizedEvent,
  finalizeWithQuorum,
  hashOf,
  headerOn,
  headOf,
  linkOn,
  loadLedgerFixture,
  proposedAndFinalizedEvent,
  proposedEvent,
  slotOf,
  streamOf,
  type AttestationPath,
  type Link,
} from "./fixture";
import type { ObservationContent } from "../../lib/types/abi";

const STREAM = streamOf(1);

/** The events of witnesses 0..2 finalizing `content` on `parent` by `path`. */
function finalizingEvents(
  f: { witnesses: readonly { address: `0x${string}` }[] },
  path: AttestationPath,
  content: ObservationContent,
  parent: Link | undefined,
) {
  if (deliversAtOnce(path)) return [proposedAndFinalizedEvent(content, parent, bits(0, 1, 2))];
  return [
    proposedEvent(content),
    attestedEvent(content, f.witnesses[0]!.address),
    attestedEvent(content, f.witnesses[1]!.address),
    finalizedEvent(content, parent, bits(0, 1, 2)),
  ];
}

/** Behaviours every attestation path shares. */
describe("EveryChannelObservationLedger attestation paths", function () {
  for (const path of ATTESTATION_PATHS) {
    describe(`by ${path}`, function () {
      it("finalizes the first observation of a stream at quorum and makes it the head", async function () {
        const f = await loadLedgerFixture();
        const genesis = contentAt(STREAM, 100n);
        const logs = await attestVia(f, path, genesis, f.witnesses.slice(0, 3));
        expectEvents(f.ledger, logs, finalizingEvents(f, path, genesis, undefined));
        expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
          headOf(linkOn(genesis, undefined)),
        );
        expect(await f.ledger.read.slotStatus([slotOf(genesis)])).to.deep.equal([
          SLOT_STATUS_VALUE.finalized,
          hashOf(genesis),
          0n,
        ]);
        expect(await f.ledger.read.candidateStatus([genesis])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.finalized,
          0n,
          3n,
          false,
        ]);
        expect(await f.ledger.read.attestationsOf([hashOf(genesis)])).to.deep.equal([]);
      });

      it("emits ObservationProposedAndFinalized when a content the ledger had no attestation of finalizes in one call (quorum 1 of 1)", async function () {
        const f = await loadLedgerFixture();
        await f.registry.write.updateWitnessSet([
          [],
          f.witnesses.slice(1).map((w) => w.address),
          1n,
        ]);
        const genesis = contentAt(STREAM, 100n);
        const logs = await attestVia(f, path, genesis, [f.witnesses[0]!]);
        expectEvents(f.ledger, logs, [proposedAndFinalizedEvent(genesis, undefined, bits(0))]);
        const next = contentAt(STREAM, 101n);
        expectEvents(f.ledger, await attestVia(f, path, next, [f.witnesses[0]!]), [
          proposedAndFinalizedEvent(next, linkOn(genesis, undefined), bits(0)),
        ]);
      });

      it("does not finalize below quorum and records the attestations", async function () {
        const f = await loadLedgerFixture();
        const genesis = contentAt(STREAM, 100n);
        const logs = await attestVia(f, path, genesis, f.witnesses.slice(0, 2));
        expectEvents(f.ledger, logs, [
          proposedEvent(genesis),
          attestedEvent(genesis, f.witnesses[0]!.address),
          attestedEvent(genesis, f.witnesses[1]!.address),
        ]);
        expect(await f.ledger.read.candidateStatus([genesis])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.open,
          2n,
          3n,
          true,
        ]);
        expect(await f.ledger.read.slotStatus([slotOf(genesis)])).to.deep.equal([
          SLOT_STATUS_VALUE.open,
          zeroHash,
          bits(0, 1),
        ]);
        expect(await f.ledger.read.attestationsOf([hashOf(genesis)])).to.deep.equal(
          f.witnesses.slice(0, 2).map((w) => w.address),
        );
        expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal([zeroHash, 0n, 0n]);
      });

      it("links each later content to the head: parent = the head's ObservationHash (EveryChannelHashing of the header it assigned), sequence + 1", async function () {
        const f = await loadLedgerFixture();
        const hashing = await hre.viem.deployContract("CommitmentsHarness", []);
        const contents = [
          contentAt(STREAM, 100n),
          contentAt(STREAM, 101n),
          contentAt(STREAM, 105n),
        ];
        let head: Link | undefined;
        for (const content of contents) {
          const logs = await attestVia(f, path, content, f.witnesses.slice(0, 3));
          expectEvents(f.ledger, logs, finalizingEvents(f, path, content, head));
          const [hash, sequence, observedUnixMs] = await f.ledger.read.finalizedHead([STREAM]);
          expect(hash).to.equal(await hashing.read.observationHash([headerOn(content, head)]));
          expect(sequence).to.equal(head === undefined ? 0n : head.sequence + 1n);
          expect(observedUnixMs).to.equal(content.observedUnixMs);
          head = linkOn(content, head);
          expect(hash).to.equal(head.hash);
        }
      });

      it("never finalizes a content at or before the head: it is expired, and its quorum writes nothing", async function () {
        const f = await loadLedgerFixture();
        const head = contentAt(STREAM, 101n);
        await finalizeWithQuorum(f, head);
        const earlier = contentAt(STREAM, 100n);
        const [w0, w1, w2] = f.witnesses;
        if (deliversAtOnce(path)) {
          // One item with the quorum: skipped whole.
          const logs = await attestVia(f, path, earlier, [w0!, w1!, w2!]);
          expectEvents(f.ledger, logs, []);
          expect(await f.ledger.read.slotStatus([slotOf(earlier)])).to.deep.equal([
            SLOT_STATUS_VALUE.empty,
            zeroHash,
            0n,
          ]);
        } else {
          await attestVia(f, path, earlier, [w0!, w1!]);
          if (path === "transaction") {
            await expectRevert(
              (await f.ledgerAs(w2!)).write.attest([earlier]),
              f.ledger,
              "ObservationExpired",
              [hashOf(earlier), earlier.observedUnixMs, head.observedUnixMs],
            );
          } else {
            expectEvents(f.ledger, await attestVia(f, path, earlier, [w2!]), []);
          }
          expect(await f.ledger.read.attestationsOf([hashOf(earlier)])).to.deep.equal([
            w0!.address,
            w1!.address,
          ]);
        }
        expect((await f.ledger.read.candidateStatus([earlier]))[0]).to.equal(
          CANDIDATE_STATUS_VALUE.expired,
        );
        expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
          headOf(linkOn(head, undefined)),
        );
      });

      it("does not count a witness removed after it attested, and counts it again once re-added", async function () {
        const f = await loadLedgerFixture();
        const genesis = contentAt(STREAM, 100n);
        await attestVia(f, path, genesis, f.witnesses.slice(0, 2));
        await f.registry.write.removeWitness([f.witnesses[0]!.address]);
        expect(await f.ledger.read.candidateStatus([genesis])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.open,
          1n,
          3n,
          true,
        ]);
        await attestVia(f, path, genesis, [f.witnesses[2]!]);
        expect((await f.ledger.read.finalizedHead([STREAM]))[0]).to.equal(zeroHash);
        await f.registry.write.addWitness([f.witnesses[0]!.address]);
        const logs = await attestVia(f, path, genesis, [f.witnesses[3]!]);
        expectEvents(f.ledger, logs, [finalizedEvent(genesis, undefined, bits(0, 1, 2, 3))]);
      });
    });
  }
});
