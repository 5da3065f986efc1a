import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { zeroHash, type Hex, type Log } from "viem";

import { packCompactBatch, toCompactSignature } from "../../lib/ledger/compactSignatures";
import type { ObservationContent } from "../../lib/types/abi";
import { decodedEvents, expectEvents } from "../support/events";
import { expectRevert } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  attestedEvent,
  bits,
  contentAt,
  equivocationEvent,
  finalizedEvent,
  finalizeWithQuorum,
  hashOf,
  headOf,
  linkOn,
  linksOn,
  loadLedgerFixture,
  MAX_FUTURE_MS,
  proposedAndFinalizedEvent,
  proposedEvent,
  runOf,
  slotOf,
  streamOf,
  type LedgerFixture,
  type Link,
} from "./fixture";

/**
 * The adversarial cases of the consensus rule: witnesses sign contents, the ledger assigns parent
 * and sequence. Each case is one way a stream used to stop, or an honest witness used to be
 * recorded as an equivocator, before the rule changed.
 */

const STREAM = streamOf(1);

/** How one witness signature reaches the ledger in the scenarios below. */
type Delivery = "transaction" | "relayed" | "compact";
const DELIVERIES: readonly Delivery[] = ["transaction", "relayed", "compact"];

/** Every ordering of `items`. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

/** `EquivocationRecorded` events among `logs`. */
function equivocations(f: LedgerFixture, logs: readonly Log[]) {
  return decodedEvents(f.ledger, logs).filter((e) => e.eventName === "EquivocationRecorded");
}

/** Asserts that no witness is recorded as an equivocator in the slots of `contents`. */
async function expectNoEquivocator(f: LedgerFixture, contents: readonly ObservationContent[]) {
  for (const slot of new Set(contents.map(slotOf)))
    for (const w of f.witnesses)
      expect(await f.ledger.read.equivocation([slot, w.address]), w.address).to.deep.equal([
        zeroHash,
        zeroHash,
      ]);
}

/**
 * The issue's scenario: 5 witnesses, quorum 3, genesis final; at e1 W0 and W1 derive A1 and W2 and
 * W3 derive B1 (capture damage), W4 is offline; then W4 returns and signs B1, and all five sign the
 * one content of e2. Signatures are made once: a witness's signature does not depend on the head.
 */
async function issueScenario() {
  const f = await loadLedgerFixture();
  const genesis = contentAt(STREAM, 100n);
  await finalizeWithQuorum(f, genesis);
  const a1 = contentAt(STREAM, 101n, 1);
  const b1 = contentAt(STREAM, 101n, 0);
  const e2 = contentAt(STREAM, 102n);
  const [w0, w1, w2, w3] = f.witnesses;
  await f.ledger.write.submitSignedAttestations([
    [await f.signed(a1, [w0!, w1!]), await f.signed(b1, [w2!, w3!])],
  ]);
  const signatures = new Map<string, Hex>();
  for (const [i, w] of f.witnesses.entries()) {
    signatures.set(`e2/${i}`, await f.signatureOf(e2, w));
    signatures.set(`b1/${i}`, await f.signatureOf(b1, w));
  }
  return { f, genesis: linkOn(genesis, undefined), a1, b1, e2, signatures };
}

describe("EveryChannelObservationLedger adversarial cases", function () {
  describe("(a) honest witnesses are never equivocators, whatever the relay order", function () {
    /** One signature of `witness` (index) over `content`, landed by `delivery`. */
    async function deliver(
      s: Awaited<ReturnType<typeof issueScenario>>,
      delivery: Delivery,
      content: ObservationContent,
      witness: number,
      expected: "finalizes" | "records" | "expired at quorum" | "slot finalized",
    ): Promise<Log[]> {
      const { f } = s;
      const key = `${content === s.e2 ? "e2" : "b1"}/${witness}`;
      const signature = s.signatures.get(key)!;
      const w = f.witnesses[witness]!;
      if (delivery === "transaction") {
        const as = await f.ledgerAs(w);
        if (expected === "expired at quorum") {
          const [head, , headObservedUnixMs] = await f.ledger.read.finalizedHead([STREAM]);
          expect(head).to.not.equal(zeroHash);
          await expectRevert(as.write.attest([content]), f.ledger, "ObservationExpired", [
            hashOf(content),
            content.observedUnixMs,
            headObservedUnixMs,
          ]);
          return [];
        }
        if (expected === "slot finalized") {
          await expectRevert(as.write.attest([content]), f.ledger, "SlotAlreadyFinalized", [
            slotOf(content),
            hashOf(content),
          ]);
          return [];
        }
        return (await f.receiptOf(await as.write.attest([content]))).logs;
      }
      const hash =
        delivery === "relayed"
          ? await f.ledger.write.submitSignedAttestations([
              [{ content, signatures: [{ witness: w.address, signature }] }],
            ])
          : await f.ledger.write.submitCompactAttestations(
              packCompactBatch([{ content, signatures: toCompactSignature(signature) }]),
            );
      const logs = (await f.receiptOf(hash)).logs;
      // Batch paths skip what cannot count: nothing is written, nothing emitted.
      if (expected === "expired at quorum" || expected === "slot finalized")
        expectEvents(f.ledger, logs, []);
      return logs;
    }

    it("e2, signed by all five on its one content, finalizes in every order of W4's B1 signature and the five e2 signatures, and nobody is recorded as an equivocator", async function () {
      this.timeout(600_000);
      // The six signatures still to land: W4's over B1 (-1) and each witness's over e2 (0..4).
      const orders = permutations([-1, 0, 1, 2, 3, 4]);
      expect(orders).to.have.length(720);
      const outcomes = { e2OnB1: 0, e2OnGenesis: 0 };
      for (const [n, order] of orders.entries()) {
        const s = await loadFixture(issueScenario);
        const { f } = s;
        const b1Link = linkOn(s.b1, s.genesis);
        let b1Final = false;
        let e2Parent: Link | undefined;
        const e2Votes: number[] = [];
        const logs: Log[] = [];
        for (const [k, who] of order.entries()) {
          const delivery = DELIVERIES[(n + k) % DELIVERIES.length]!;
          if (who === -1) {
            // W4's B1 signature: B1 reaches 3 of 5 and finalizes on genesis, unless e2 is final.
            const expected = e2Parent === undefined ? "finalizes" : "expired at quorum";
            const got = await deliver(s, delivery, s.b1, 4, expected);
            if (expected === "finalizes") {
              b1Final = true;
              expectEvents(f.ledger, got, [finalizedEvent(s.b1, s.genesis, bits(2, 3, 4))]);
            }
            logs.push(...got);
            continue;
          }
          if (e2Parent !== undefined) {
            logs.push(...(await deliver(s, delivery, s.e2, who, "slot finalized")));
            continue;
          }
          e2Votes.push(who);
          if (e2Votes.length < 3) {
            logs.push(...(await deliver(s, delivery, s.e2, who, "records")));
            continue;
          }
          e2Parent = b1Final ? b1Link : s.genesis;
          const got = await deliver(s, delivery, s.e2, who, "finalizes");
          expectEvents(f.ledger, got, [finalizedEvent(s.e2, e2Parent, bits(...e2Votes))]);
          logs.push(...got);
        }
        expect(equivocations(f, logs), `order ${order.join(",")}`).to.deep.equal([]);
        await expectNoEquivocator(f, [s.a1, s.e2]);
        expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
          headOf(linkOn(s.e2, e2Parent)),
        );
        expect(await f.ledger.read.slotStatus([slotOf(s.e2)])).to.deep.equal([
          SLOT_STATUS_VALUE.finalized,
          hashOf(s.e2),
          0n,
        ]);
        const [b1Status] = await f.ledger.read.candidateStatus([s.b1]);
        expect(b1Status).to.equal(
          b1Final ? CANDIDATE_STATUS_VALUE.finalized : CANDIDATE_STATUS_VALUE.expired,
        );
        if (b1Final) outcomes.e2OnB1++;
        else outcomes.e2OnGenesis++;
      }
      // Both outcomes occur: B1 final before e2's quorum (e2 links to B1), or e2 first (B1 expires).
      expect(outcomes.e2OnB1).to.be.greaterThan(0);
      expect(outcomes.e2OnGenesis).to.be.greaterThan(0);
    });

    it("counts the e2 signatures of the A1 side that land before B1 finalized, and links e2 to B1", async function () {
      const s = await loadFixture(issueScenario);
      const { f } = s;
      const [w0, w1, w2, w3, w4] = f.witnesses;
      const early = await f.receiptOf(
        await f.ledger.write.submitSignedAttestations([[await f.signed(s.e2, [w0!, w1!])]]),
      );
      expectEvents(f.ledger, early.logs, [
        proposedEvent(s.e2),
        attestedEvent(s.e2, w0!.address),
        attestedEvent(s.e2, w1!.address),
      ]);
      const b1 = await f.receiptOf(await (await f.ledgerAs(w4!)).write.attest([s.b1]));
      expectEvents(f.ledger, b1.logs, [finalizedEvent(s.b1, s.genesis, bits(2, 3, 4))]);
      expect(await f.ledger.read.candidateStatus([s.a1])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.superseded,
        2n,
        3n,
        false,
      ]);
      const b1Link = linkOn(s.b1, s.genesis);
      const late = await f.receiptOf(
        await f.ledger.write.submitCompactAttestations(
          packCompactBatch([await f.compact(s.e2, [w2!, w3!, w4!])]),
        ),
      );
      expectEvents(f.ledger, late.logs, [finalizedEvent(s.e2, b1Link, bits(0, 1, 2, 3, 4))]);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(s.e2, b1Link)),
      );
      expect(linkOn(s.e2, b1Link).sequence).to.equal(2n);
      await expectNoEquivocator(f, [s.a1, s.e2]);
    });
  });

  describe("(b) a contested slot ends: a 2/2/1 split at quorum 3", function () {
    it("never finalizes epoch N, says so once all five voted, and N+1 agreed by all finalizes on N-1", async function () {
      const f = await loadLedgerFixture();
      const [w0, w1, w2, w3, w4] = f.witnesses;
      const previous = contentAt(STREAM, 100n);
      await finalizeWithQuorum(f, previous);
      const previousLink = linkOn(previous, undefined);
      const x = contentAt(STREAM, 101n, 1);
      const y = contentAt(STREAM, 101n, 2);
      const z = contentAt(STREAM, 101n, 3);
      const unseen = contentAt(STREAM, 101n, 0);
      await f.ledger.write.submitSignedAttestations([
        [await f.signed(x, [w0!, w1!]), await f.signed(y, [w2!, w3!])],
      ]);
      // W4 has not voted: either side could still reach 3.
      for (const c of [x, y])
        expect(await f.ledger.read.candidateStatus([c])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.open,
          2n,
          3n,
          true,
        ]);
      expect(await f.ledger.read.candidateStatus([unseen])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.unknown,
        0n,
        3n,
        false,
      ]);
      await (await f.ledgerAs(w4!)).write.attest([z]);
      // All five voted: no content of the slot can reach the quorum any more.
      for (const [c, votes] of [
        [x, 2n],
        [y, 2n],
        [z, 1n],
      ] as const)
        expect(await f.ledger.read.candidateStatus([c])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.open,
          votes,
          3n,
          false,
        ]);
      await expectRevert(f.ledger.write.finalize([x]), f.ledger, "QuorumNotReached", [
        hashOf(x),
        2n,
        3n,
      ]);
      // N+1, agreed by all five, finalizes directly on N-1.
      const next = contentAt(STREAM, 102n);
      const receipt = await f.receiptOf(
        await f.ledger.write.submitCompactAttestations(
          packCompactBatch([await f.compact(next, f.witnesses)]),
        ),
      );
      expectEvents(f.ledger, receipt.logs, [
        proposedAndFinalizedEvent(next, previousLink, bits(0, 1, 2, 3, 4)),
      ]);
      const nextLink = linkOn(next, previousLink);
      expect(nextLink.sequence).to.equal(previousLink.sequence + 1n);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(nextLink));
      for (const [c, votes] of [
        [x, 2n],
        [y, 2n],
        [z, 1n],
        [unseen, 0n],
      ] as const)
        expect(await f.ledger.read.candidateStatus([c])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.expired,
          votes,
          3n,
          false,
        ]);
      expect(await f.ledger.read.slotStatus([slotOf(x)])).to.deep.equal([
        SLOT_STATUS_VALUE.open,
        zeroHash,
        bits(0, 1, 2, 3, 4),
      ]);
      await expectNoEquivocator(f, [x, next]);
    });
  });

  describe("(c) a damaged and a missed epoch do not hold up the stream", function () {
    it("finalizes the ten later epochs every witness agrees on, each linked to the previous, with 3 witnesses at quorum 2", async function () {
      const f = await loadLedgerFixture();
      const [w0, w1, w2, w3, w4] = f.witnesses;
      await f.registry.write.updateWitnessSet([[], [w3!.address, w4!.address], 2n]);
      const previous = contentAt(STREAM, 100n);
      await f.ledger.write.submitSignedAttestations([[await f.signed(previous, [w0!, w1!])]]);
      const previousLink = linkOn(previous, undefined);
      // Epoch 101: W0's capture is damaged, W1 missed it, W2 has it intact.
      const damaged = contentAt(STREAM, 101n, 1);
      const intact = contentAt(STREAM, 101n, 0);
      const later = runOf(STREAM, 102n, 10);
      const links = linksOn(later, previousLink);
      const asW0 = await f.ledgerAs(w0!);
      expect(
        (await asW0.simulate.attestMany([[damaged, ...later]], { account: w0!.address })).result,
      ).to.deep.equal([11n, 0n]);
      await asW0.write.attestMany([[damaged, ...later]]);
      // W2's votes bring every later epoch to 2 of 3: each finalizes on the previous one.
      const asW2 = await f.ledgerAs(w2!);
      expect(
        (await asW2.simulate.attestMany([[intact, ...later]], { account: w2!.address })).result,
      ).to.deep.equal([11n, 10n]);
      const receipt = await f.receiptOf(await asW2.write.attestMany([[intact, ...later]]));
      expectEvents(f.ledger, receipt.logs, [
        proposedEvent(intact),
        attestedEvent(intact, w2!.address),
        ...later.map((c, i) =>
          finalizedEvent(c, i === 0 ? previousLink : links[i - 1], bits(0, 2)),
        ),
      ]);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(headOf(links[9]!));
      expect(links[0]!.sequence).to.equal(1n);
      expect(links[9]!.sequence).to.equal(10n);
      // W1, which missed epoch 101, finds every later epoch final: all skipped, nothing lost.
      const asW1 = await f.ledgerAs(w1!);
      expect(
        (await asW1.simulate.attestMany([later], { account: w1!.address })).result,
      ).to.deep.equal([0n, 0n]);
      for (const c of [damaged, intact])
        expect((await f.ledger.read.candidateStatus([c]))[0]).to.equal(
          CANDIDATE_STATUS_VALUE.expired,
        );
      await expectNoEquivocator(f, [damaged, ...later]);
    });
  });

  describe("(d) time bound: observedUnixMs at most MAX_FUTURE_MS after the chain's time", function () {
    /** The fixture after `prepare`, with the next block's time fixed: `limit` is its latest accepted. */
    async function atNextBlock(prepare: (f: LedgerFixture) => Promise<void> = async () => {}) {
      const f = await loadLedgerFixture();
      expect(await f.ledger.read.MAX_FUTURE_MS()).to.equal(MAX_FUTURE_MS);
      await prepare(f);
      const t = BigInt(await time.latest()) + 100n;
      await time.setNextBlockTimestamp(t);
      const limit = t * 1000n + MAX_FUTURE_MS;
      return { f, limit };
    }

    /** Epoch 5000's content of the test stream, observed at `observedUnixMs`. */
    function at(observedUnixMs: bigint, epochId = 5000n): ObservationContent {
      return { ...contentAt(STREAM, epochId), observedUnixMs };
    }

    const FUTURE_CASES = [
      ["one millisecond past the limit", (limit: bigint) => limit + 1n],
      ["at the largest uint64", () => 2n ** 64n - 1n],
    ] as const;

    for (const [name, observed] of FUTURE_CASES) {
      it(`reverts ObservedInFuture ${name} on attest, attestMany, submitSignedAttestations and both compact paths`, async function () {
        const paths = [
          "attest",
          "attestMany",
          "submitSignedAttestations",
          "compact fast path",
          "compact general path",
        ] as const;
        for (const path of paths) {
          // The compact fast path takes items of empty slots; an open slot goes to the general path.
          const { f, limit } = await atNextBlock(async (f) => {
            if (path === "compact general path")
              await f.receiptOf(
                await f.ledger.write.submitSignedAttestations([
                  [await f.signed(contentAt(STREAM, 5000n, 1), [f.witnesses[0]!])],
                ]),
              );
          });
          const content = at(observed(limit));
          const w0 = f.witnesses[0]!;
          let call: Promise<unknown>;
          if (path === "attest") call = (await f.ledgerAs(w0)).write.attest([content]);
          else if (path === "attestMany")
            call = (await f.ledgerAs(w0)).write.attestMany([[contentAt(STREAM, 100n), content]]);
          else if (path === "submitSignedAttestations")
            call = f.ledger.write.submitSignedAttestations([
              [await f.signed(contentAt(STREAM, 100n), [w0]), await f.signed(content, [w0])],
            ]);
          else
            call = f.ledger.write.submitCompactAttestations(
              packCompactBatch([await f.compact(content, f.witnesses.slice(1, 4))]),
            );
          await expectRevert(call, f.ledger, "ObservedInFuture", [
            hashOf(content),
            content.observedUnixMs,
            limit,
          ]);
        }
      });
    }

    it("accepts observedUnixMs exactly at the limit on every path", async function () {
      const paths = [
        "attest",
        "attestMany",
        "submitSignedAttestations",
        "compact",
        "compact general path",
      ] as const;
      for (const path of paths) {
        const { f, limit } = await atNextBlock();
        const content = at(limit);
        const w0 = f.witnesses[0]!;
        let hash: Hex;
        if (path === "attest") hash = await (await f.ledgerAs(w0)).write.attest([content]);
        else if (path === "attestMany")
          hash = await (await f.ledgerAs(w0)).write.attestMany([[content]]);
        else if (path === "submitSignedAttestations")
          hash = await f.ledger.write.submitSignedAttestations([
            [await f.signed(content, f.witnesses.slice(0, 3))],
          ]);
        else if (path === "compact")
          hash = await f.ledger.write.submitCompactAttestations(
            packCompactBatch([await f.compact(content, f.witnesses.slice(0, 3))]),
          );
        else {
          // The same call to a ledger whose compact fast path is off.
          const harness = await hre.viem.deployContract("EveryChannelObservationLedgerHarness", [
            f.registry.address,
          ]);
          await harness.write.setGeneralPathOnly([true]);
          const t = BigInt(await time.latest()) + 1n;
          await time.setNextBlockTimestamp(t);
          const atLimit = at(t * 1000n + MAX_FUTURE_MS);
          const domain = { ...f.domain, verifyingContract: harness.address };
          const receipt = await f.receiptOf(
            await harness.write.submitCompactAttestations(
              packCompactBatch([await f.compact(atLimit, f.witnesses.slice(0, 3), domain)]),
            ),
          );
          expectEvents(harness, receipt.logs, [
            proposedAndFinalizedEvent(atLimit, undefined, bits(0, 1, 2)),
          ]);
          continue;
        }
        const receipt = await f.receiptOf(hash);
        expect(
          (await f.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp,
        ).to.equal((limit - MAX_FUTURE_MS) / 1000n);
        const expected =
          path === "attest" || path === "attestMany"
            ? [proposedEvent(content), attestedEvent(content, w0.address)]
            : [proposedAndFinalizedEvent(content, undefined, bits(0, 1, 2))];
        expectEvents(f.ledger, receipt.logs, expected);
      }
    });

    it("never lets a far-future content become the head, so later epochs keep finalizing", async function () {
      const { f, limit } = await atNextBlock();
      const far = at(2n ** 63n, 101n);
      await expectRevert(finalizeWithQuorum(f, far), f.ledger, "ObservedInFuture", [
        hashOf(far),
        far.observedUnixMs,
        limit,
      ]);
      const next = contentAt(STREAM, 102n);
      await finalizeWithQuorum(f, next);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(next, undefined)),
      );
      expect(await f.ledger.read.candidateStatus([far])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.unknown,
        0n,
        3n,
        true,
      ]);
    });
  });

  describe("(e) attestMany skips what cannot count and says what it counted", function () {
    it("skips contents of finalized slots, contents the caller already attested and contents expired at quorum; returns (counted, finalized)", async function () {
      const f = await loadLedgerFixture();
      const [w0, w1, , w3] = f.witnesses;
      const genesis = contentAt(STREAM, 100n);
      const final = contentAt(STREAM, 101n);
      await finalizeWithQuorum(f, genesis);
      await finalizeWithQuorum(f, final);
      const finalLink = linkOn(final, linkOn(genesis, undefined));
      const rival = contentAt(STREAM, 101n, 1);
      const duplicate = contentAt(STREAM, 103n);
      const expiredWithTwo = contentAt(STREAM, 99n);
      const expiredAlone = contentAt(STREAM, 98n);
      const finalizing = contentAt(STREAM, 102n);
      const fresh = contentAt(STREAM, 104n);
      await (await f.ledgerAs(w3!)).write.attest([duplicate]);
      await f.ledger.write.submitSignedAttestations([
        [await f.signed(expiredWithTwo, [w0!, w1!]), await f.signed(finalizing, [w0!, w1!])],
      ]);
      const batch = [final, rival, duplicate, expiredWithTwo, finalizing, expiredAlone, fresh];
      const as = await f.ledgerAs(w3!);
      expect(
        (await as.simulate.attestMany([batch], { account: w3!.address })).result,
      ).to.deep.equal([3n, 1n]);
      const receipt = await f.receiptOf(await as.write.attestMany([batch]));
      expectEvents(f.ledger, receipt.logs, [
        finalizedEvent(finalizing, finalLink, bits(0, 1, 3)),
        // Below quorum a vote is recorded as usual, even on an expired content (it never finalizes).
        proposedEvent(expiredAlone),
        attestedEvent(expiredAlone, w3!.address),
        proposedEvent(fresh),
        attestedEvent(fresh, w3!.address),
      ]);
      expect(await f.ledger.read.candidateStatus([expiredWithTwo])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.expired,
        2n,
        3n,
        false,
      ]);
      expect(await f.ledger.read.candidateStatus([expiredAlone])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.expired,
        1n,
        3n,
        false,
      ]);
      expect(await f.ledger.read.attestationsOf([hashOf(duplicate)])).to.deep.equal([w3!.address]);
      // The same batch again: everything is final, attested or expired.
      expect(
        (await as.simulate.attestMany([batch], { account: w3!.address })).result,
      ).to.deep.equal([0n, 0n]);
    });
  });

  describe("(f) documented limit: a later epoch's quorum landing first expires the earlier epoch", function () {
    it("finalizes N+1 on the head and leaves N expired (a gap in the chain, never a fork), in one batch or in two", async function () {
      for (const split of [false, true]) {
        const f = await loadLedgerFixture();
        const genesis = contentAt(STREAM, 100n);
        await finalizeWithQuorum(f, genesis);
        const genesisLink = linkOn(genesis, undefined);
        const [n, n1] = runOf(STREAM, 101n, 2);
        const items = [
          await f.signed(n1!, f.witnesses.slice(0, 3)),
          await f.signed(n!, f.witnesses.slice(2, 5)),
        ];
        const logs: Log[] = [];
        for (const batch of split ? items.map((i) => [i]) : [items])
          logs.push(
            ...(await f.receiptOf(await f.ledger.write.submitSignedAttestations([batch]))).logs,
          );
        expectEvents(f.ledger, logs, [proposedAndFinalizedEvent(n1!, genesisLink, bits(0, 1, 2))]);
        expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
          headOf(linkOn(n1!, genesisLink)),
        );
        expect(await f.ledger.read.candidateStatus([n!])).to.deep.equal([
          CANDIDATE_STATUS_VALUE.expired,
          0n,
          3n,
          false,
        ]);
        expect(await f.ledger.read.slotStatus([slotOf(n!)])).to.deep.equal([
          SLOT_STATUS_VALUE.empty,
          zeroHash,
          0n,
        ]);
      }
    });

    it("reverts the attestation that would bring N its quorum with ObservationExpired once N+1 is final", async function () {
      const f = await loadLedgerFixture();
      const [n, n1] = runOf(STREAM, 101n, 2);
      const [w0, w1, w2] = f.witnesses;
      await f.ledger.write.submitSignedAttestations([[await f.signed(n!, [w0!, w1!])]]);
      await finalizeWithQuorum(f, n1!);
      await expectRevert(
        (await f.ledgerAs(w2!)).write.attest([n!]),
        f.ledger,
        "ObservationExpired",
        [hashOf(n!), n!.observedUnixMs, n1!.observedUnixMs],
      );
      expect(await f.ledger.read.candidateStatus([n!])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.expired,
        2n,
        3n,
        false,
      ]);
      expect(await f.ledger.read.finalizedHead([STREAM])).to.deep.equal(
        headOf(linkOn(n1!, undefined)),
      );
    });
  });

  describe("(g) a witness that really signs two contents of one slot is still an equivocator", function () {
    it("records it when its second content lands, never counts that vote, and the slot finalizes without it", async function () {
      const f = await loadLedgerFixture();
      const [w0, w1, w2, w3] = f.witnesses;
      const a = contentAt(STREAM, 100n, 0);
      const b = contentAt(STREAM, 100n, 1);
      await (await f.ledgerAs(w0!)).write.attest([a]);
      const receipt = await f.receiptOf(
        await f.ledger.write.submitSignedAttestations([[await f.signed(b, [w0!, w1!, w2!])]]),
      );
      expectEvents(f.ledger, receipt.logs, [
        equivocationEvent(b, w0!.address, zeroHash, hashOf(b)),
        proposedEvent(b),
        attestedEvent(b, w1!.address),
        attestedEvent(b, w2!.address),
      ]);
      expect(await f.ledger.read.candidateStatus([b])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.open,
        2n,
        3n,
        true,
      ]);
      expect(await f.ledger.read.candidateStatus([a])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.open,
        1n,
        3n,
        true,
      ]);
      const last = await f.receiptOf(await (await f.ledgerAs(w3!)).write.attest([b]));
      expectEvents(f.ledger, last.logs, [finalizedEvent(b, undefined, bits(1, 2, 3))]);
      expect(await f.ledger.read.equivocation([slotOf(a), w0!.address])).to.deep.equal([
        zeroHash,
        hashOf(b),
      ]);
    });

    it("records it from its two signatures (reportEquivocation) before either lands, and none of its votes in the slot counts", async function () {
      const f = await loadLedgerFixture();
      const [w0, w1, w2, , w4] = f.witnesses;
      const a = contentAt(STREAM, 100n, 0);
      const b = contentAt(STREAM, 100n, 1);
      const [sa, sb] = [await f.signatureOf(a, w4!), await f.signatureOf(b, w4!)];
      const report = await f.receiptOf(
        await f.ledger.write.reportEquivocation([w4!.address, a, sa, b, sb]),
      );
      expectEvents(f.ledger, report.logs, [
        equivocationEvent(a, w4!.address, hashOf(a), hashOf(b)),
      ]);
      // W4's signature of `a` lands with two others: it counts for nothing, `a` stays below quorum.
      const receipt = await f.receiptOf(
        await f.ledger.write.submitSignedAttestations([
          [
            { content: a, signatures: [{ witness: w4!.address, signature: sa }] },
            await f.signed(a, [w0!, w1!]),
          ],
        ]),
      );
      expectEvents(f.ledger, receipt.logs, [
        proposedEvent(a),
        attestedEvent(a, w0!.address),
        attestedEvent(a, w1!.address),
      ]);
      expect(await f.ledger.read.candidateStatus([a])).to.deep.equal([
        CANDIDATE_STATUS_VALUE.open,
        2n,
        3n,
        true,
      ]);
      await expectRevert(
        f.ledger.write.reportEquivocation([w4!.address, a, sa, b, sb]),
        f.ledger,
        "EquivocationAlreadyRecorded",
        [slotOf(a), w4!.address],
      );
      const last = await f.receiptOf(await (await f.ledgerAs(w2!)).write.attest([a]));
      expectEvents(f.ledger, last.logs, [finalizedEvent(a, undefined, bits(0, 1, 2))]);
    });
  });
});
