import { expect } from "chai";
import fc from "fast-check";
import { zeroHash, type Hex, type LocalAccount, type Log } from "viem";

import { contentHash, observationHash } from "../../lib/commitments/observation";
import { packCompactBatch, toCompactObservation } from "../../lib/ledger/compactSignatures";
import { buildRelayBatch } from "../../lib/ledger/relayBatch";
import type { ObservationContent } from "../../lib/types/abi";
import { decodedEvents, type ExpectedEvent } from "../support/events";
import { captureRevert } from "../support/revert";
import { CANDIDATE_STATUS_VALUE, SLOT_STATUS_VALUE } from "../../lib/ledger/client";
import {
  contentAt,
  hardhatAccount,
  hashOf,
  headerOn,
  loadLedgerFixture,
  slotOf,
  streamOf,
  type LedgerFixture,
  type Link,
} from "./fixture";

/**
 * Randomized sequences checked against the properties of docs/PROPERTIES.md: any mix of membership
 * changes, attestations by transaction and batch, relayed batches (full and compact) and finalize
 * calls over rival, earlier, later and future contents; and honest witnesses whose signatures land
 * in random orders, batches and paths.
 */

const UNIVERSE = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => hardhatAccount(i));
const STREAMS = [streamOf(1), streamOf(2)];
const FUTURE_UNIX_MS = 2n ** 63n;

function popCount(x: bigint): number {
  let n = 0;
  for (let v = x; v > 0n; v >>= 1n) n += Number(v & 1n);
  return n;
}

/** The content of a finalization event: `ObservationProposedAndFinalized` carries its fields. */
function finalizedContentHash(e: ExpectedEvent): Hex {
  if (e.eventName === "ObservationFinalized") return e.args.contentHash as Hex;
  return contentHash({
    streamHash: e.args.streamHash as Hex,
    epochHash: e.args.epochHash as Hex,
    dataRoot: e.args.dataRoot as Hex,
    locatorHash: e.args.locatorHash as Hex,
    observedUnixMs: e.args.observedUnixMs as bigint,
  });
}

/** A content relative to its stream's head epoch (see the generator). */
interface ContentChoice {
  readonly stream: number;
  readonly offset: number;
  readonly variant: number;
  readonly future: boolean;
}

function isFinalization(e: ExpectedEvent): boolean {
  return (
    e.eventName === "ObservationFinalized" || e.eventName === "ObservationProposedAndFinalized"
  );
}

/** What the runs below record about a stream's chain and a slot's finalization. */
class ChainModel {
  readonly known = new Map<Hex, ObservationContent>();
  readonly signedBy = new Map<Hex, Set<string>>();
  readonly signedInSlot = new Map<Hex, Map<string, Set<Hex>>>();
  readonly heads = new Map<Hex, Link & { contentHash: Hex }>();
  readonly finalizedSlots = new Map<Hex, Hex>();

  note(content: ObservationContent): Hex {
    const hash = hashOf(content);
    this.known.set(hash, content);
    return hash;
  }

  signed(content: ObservationContent, witness: LocalAccount): void {
    const hash = this.note(content);
    const who = witness.address.toLowerCase();
    this.signedBy.set(hash, (this.signedBy.get(hash) ?? new Set()).add(who));
    const slot = slotOf(content);
    const bySlot = this.signedInSlot.get(slot) ?? new Map<string, Set<Hex>>();
    bySlot.set(who, (bySlot.get(who) ?? new Set()).add(hash));
    this.signedInSlot.set(slot, bySlot);
  }

  /**
   * Checks one finalization event against the rules and records it: quorum of members when
   * counted, all of whom signed the content; parent = the head, sequence + 1, a later time; the
   * ObservationHash of that header; one finalization per slot.
   */
  finalized(
    e: ExpectedEvent,
    membership: { active: bigint; quorum: bigint },
    indexOf: ReadonlyMap<string, bigint>,
  ): void {
    const hash = finalizedContentHash(e);
    const content = this.known.get(hash);
    expect(content, `finalized content ${hash} was built by the run`).to.not.equal(undefined);
    const witnesses = e.args.witnesses as bigint;
    expect(popCount(witnesses)).to.be.at.least(Number(membership.quorum));
    expect(witnesses & ~membership.active).to.equal(0n);
    const signerBits = [...(this.signedBy.get(hash) ?? [])].reduce(
      (acc, w) => acc | (1n << (indexOf.get(w) ?? 255n)),
      0n,
    );
    expect(witnesses & ~signerBits).to.equal(0n);
    const previous = this.heads.get(content!.streamHash);
    expect(e.args.parentObservationHash).to.equal(previous?.hash ?? zeroHash);
    expect(e.args.sequence).to.equal(previous === undefined ? 0n : previous.sequence + 1n);
    if (previous !== undefined)
      expect(content!.observedUnixMs > previous.observedUnixMs).to.equal(true);
    expect(e.args.observationHash).to.equal(observationHash(headerOn(content!, previous)));
    const slot = slotOf(content!);
    expect(this.finalizedSlots.has(slot), `slot ${slot} finalized twice`).to.equal(false);
    this.finalizedSlots.set(slot, hash);
    this.heads.set(content!.streamHash, {
      hash: e.args.observationHash as Hex,
      sequence: e.args.sequence as bigint,
      observedUnixMs: content!.observedUnixMs,
      contentHash: hash,
    });
  }

  /** The status `candidateStatus` must report for a known content. */
  expectedStatus(content: ObservationContent, recorded: boolean): number {
    const hash = hashOf(content);
    const final = this.finalizedSlots.get(slotOf(content));
    if (final !== undefined)
      return final === hash ? CANDIDATE_STATUS_VALUE.finalized : CANDIDATE_STATUS_VALUE.superseded;
    const head = this.heads.get(content.streamHash);
    if (head !== undefined && content.observedUnixMs <= head.observedUnixMs)
      return CANDIDATE_STATUS_VALUE.expired;
    return recorded ? CANDIDATE_STATUS_VALUE.open : CANDIDATE_STATUS_VALUE.unknown;
  }

  /** Compares the ledger's views with the model: heads, slots and every known content's status. */
  async check(f: LedgerFixture): Promise<{ expired: number }> {
    for (const stream of STREAMS) {
      const head = this.heads.get(stream);
      expect(await f.ledger.read.finalizedHead([stream])).to.deep.equal(
        head === undefined ? [zeroHash, 0n, 0n] : [head.hash, head.sequence, head.observedUnixMs],
      );
    }
    for (const [slot, hash] of this.finalizedSlots)
      expect(await f.ledger.read.slotStatus([slot])).to.deep.equal([
        SLOT_STATUS_VALUE.finalized,
        hash,
        0n,
      ]);
    let expired = 0;
    const bySlot = new Map<Hex, Set<string>>();
    for (const [hash, content] of this.known) {
      const recorded = (await f.ledger.read.attestationsOf([hash])).map((a) => a.toLowerCase());
      // One counted vote per witness per slot.
      const inSlot = bySlot.get(slotOf(content)) ?? new Set<string>();
      for (const w of recorded) {
        expect(inSlot.has(w), `witness ${w} recorded twice in slot ${slotOf(content)}`).to.equal(
          false,
        );
        inSlot.add(w);
      }
      bySlot.set(slotOf(content), inSlot);
      const [status, attestations] = await f.ledger.read.candidateStatus([content]);
      expect(status, `status of ${hash}`).to.equal(
        this.expectedStatus(content, recorded.length > 0),
      );
      if (status === CANDIDATE_STATUS_VALUE.expired) expired++;
      if (status === CANDIDATE_STATUS_VALUE.open || status === CANDIDATE_STATUS_VALUE.expired) {
        const members = await f.registry.read.witnesses();
        const counted = recorded.filter((w) => members.some((m) => m.toLowerCase() === w));
        expect(attestations).to.equal(BigInt(counted.length));
      }
    }
    return { expired };
  }

  /** Every recorded equivocation is backed by two contents of its slot that its witness signed. */
  async checkEquivocations(f: LedgerFixture, witnesses: readonly LocalAccount[]): Promise<number> {
    let recorded = 0;
    const slots = new Set([...this.known.values()].map(slotOf));
    for (const slot of slots)
      for (const w of witnesses) {
        const [, b] = await f.ledger.read.equivocation([slot, w.address]);
        if (b === zeroHash) continue;
        recorded++;
        expect(
          this.signedInSlot.get(slot)?.get(w.address.toLowerCase())?.size ?? 0,
          `${w.address} recorded as an equivocator in ${slot}`,
        ).to.be.at.least(2);
      }
    return recorded;
  }
}

describe("EveryChannelObservationLedger properties (fast-check)", function () {
  describe("random sequences of every action", function () {
    /** A content relative to the stream's head: earlier (expired), later, a rival, or in the future. */
    const contentChoice = fc.record({
      stream: fc.integer({ min: 0, max: STREAMS.length - 1 }),
      offset: fc.integer({ min: -2, max: 3 }),
      variant: fc.constantFrom(0, 0, 0, 1, 2),
      future: fc.oneof(
        { weight: 19, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    });
    /** Signers by position in the active set at the time of the step, sometimes with a non-member. */
    const signerSet = fc.record({
      picks: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 1, maxLength: 8 }),
      stranger: fc.oneof(
        { weight: 9, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    });
    const action = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant("attest" as const),
          witness: signerSet,
          content: contentChoice,
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("attestMany" as const),
          witness: signerSet,
          contents: fc.array(contentChoice, { minLength: 1, maxLength: 4 }),
        }),
      },
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant("relay" as const),
          compact: fc.boolean(),
          items: fc.array(fc.record({ content: contentChoice, signers: signerSet }), {
            minLength: 1,
            maxLength: 4,
          }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("finalize" as const), pick: fc.nat() }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("membership" as const),
          add: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { maxLength: 3 }),
          remove: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { maxLength: 3 }),
          quorum: fc.oneof(
            { weight: 3, arbitrary: fc.constant("majority" as const) },
            { weight: 1, arbitrary: fc.integer({ min: 0, max: 9 }) },
          ),
        }),
      },
    );

    it("keeps every ledger and registry property", async function () {
      this.timeout(600_000);
      const seen = {
        finalized: 0,
        extensions: 0,
        reverted: 0,
        equivocations: 0,
        expired: 0,
        future: 0,
      };
      await fc.assert(
        fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
          const f = await loadLedgerFixture();
          const model = new ChainModel();
          /** The epoch of each stream's head (100 before the first finalization). */
          const headEpoch = new Map<Hex, bigint>();
          const epochOfContent = new Map<Hex, bigint>();
          const build = (choice: ContentChoice): ObservationContent => {
            const stream = STREAMS[choice.stream]!;
            const epoch = (headEpoch.get(stream) ?? 100n) + BigInt(choice.offset);
            const base = contentAt(stream, epoch, choice.variant);
            const content = choice.future ? { ...base, observedUnixMs: FUTURE_UNIX_MS } : base;
            epochOfContent.set(model.note(content), epoch);
            return content;
          };
          const pickSigners = async (set: {
            picks: number[];
            stranger: boolean;
          }): Promise<LocalAccount[]> => {
            const active = (await f.registry.read.witnesses()).map((a) => a.toLowerCase());
            const members = UNIVERSE.filter((u) => active.includes(u.address.toLowerCase()));
            const chosen = [...new Set(set.picks.map((p) => members[p % members.length]!))];
            const outsider = UNIVERSE.find((u) => !active.includes(u.address.toLowerCase()));
            return set.stranger && outsider !== undefined ? [...chosen, outsider] : chosen;
          };
          const majorityAfter = async (add: number[], remove: number[]): Promise<bigint> => {
            const active = new Set((await f.registry.read.witnesses()).map((a) => a.toLowerCase()));
            for (const i of remove) active.delete(UNIVERSE[i]!.address.toLowerCase());
            for (const i of add) active.add(UNIVERSE[i]!.address.toLowerCase());
            return BigInt(Math.floor(active.size / 2) + 1);
          };
          const indexOf = new Map<string, bigint>();
          for (const [i, w] of f.witnesses.entries())
            indexOf.set(w.address.toLowerCase(), BigInt(i));

          for (const step of actions) {
            const [active, quorum] = await f.registry.read.membership();
            let promise: Promise<Hex> | undefined;
            let contract: { abi: typeof f.ledger.abi } | { abi: typeof f.registry.abi } = f.ledger;
            let future = false;
            if (step.kind === "attest" || step.kind === "attestMany") {
              const [witness] = await pickSigners(step.witness);
              if (witness === undefined) continue;
              const choices = step.kind === "attest" ? [step.content] : step.contents;
              const contents = choices.map(build);
              for (const c of contents) model.signed(c, witness);
              future = choices.some((c) => c.future);
              const as = await f.ledgerAs(witness);
              promise =
                step.kind === "attest"
                  ? as.write.attest([contents[0]!])
                  : as.write.attestMany([contents]);
            } else if (step.kind === "relay") {
              const items = [];
              for (const item of step.items) {
                const content = build(item.content);
                const signers = await pickSigners(item.signers);
                items.push(await f.signed(content, signers));
                for (const s of signers) model.signed(content, s);
              }
              future = step.items.some((i) => i.content.future);
              promise = step.compact
                ? f.ledger.write.submitCompactAttestations(
                    packCompactBatch(items.map(toCompactObservation)),
                  )
                : f.ledger.write.submitSignedAttestations([items]);
            } else if (step.kind === "finalize") {
              const all = [...model.known.values()];
              if (all.length === 0) continue;
              promise = f.ledger.write.finalize([all[step.pick % all.length]!]);
            } else {
              contract = f.registry;
              promise = f.registry.write.updateWitnessSet([
                step.add.map((i) => UNIVERSE[i]!.address),
                step.remove.map((i) => UNIVERSE[i]!.address),
                step.quorum === "majority"
                  ? await majorityAfter(step.add, step.remove)
                  : BigInt(step.quorum),
              ]);
            }
            let logs: readonly Log[];
            try {
              logs = (await f.receiptOf(await promise)).logs;
            } catch {
              // A revert must be one of the contracts' named errors (never a panic or an empty revert).
              const decoded = await captureRevert(promise, contract);
              expect(decoded.errorName).to.match(/^[A-Z]/);
              if (decoded.errorName === "ObservedInFuture") seen.future++;
              seen.reverted++;
              continue;
            }
            // A content beyond the time tolerance never lands: its call reverts as a whole.
            expect(future, "a call with a future content succeeded").to.equal(false);
            if (step.kind === "membership") {
              for (const e of decodedEvents(f.registry, logs))
                if (e.eventName === "WitnessAdded")
                  indexOf.set(String(e.args.witness).toLowerCase(), e.args.index as bigint);
              continue;
            }
            for (const e of decodedEvents(f.ledger, logs)) {
              if (e.eventName === "EquivocationRecorded") seen.equivocations++;
              if (!isFinalization(e)) continue;
              seen.finalized++;
              if (e.args.sequence !== 0n) seen.extensions++;
              model.finalized(e, { active, quorum }, indexOf);
              const content = model.known.get(finalizedContentHash(e))!;
              headEpoch.set(content.streamHash, epochOfContent.get(hashOf(content))!);
            }
            // Registry invariants hold after every step.
            const [activeAfter, quorumAfter] = await f.registry.read.membership();
            const count = await f.registry.read.witnessCount();
            expect(BigInt(popCount(activeAfter))).to.equal(count);
            expect(quorumAfter >= 1n && quorumAfter <= count && 2n * quorumAfter > count).to.equal(
              true,
            );
          }
          seen.expired += (await model.check(f)).expired;
          await model.checkEquivocations(f, UNIVERSE);
          // Registry indices are never reused.
          for (const [address, index] of indexOf)
            expect((await f.registry.read.witnessAt([index])).toLowerCase()).to.equal(address);
        }),
        { numRuns: 150 },
      );
      // The generators reach every kind of outcome, so the properties above were exercised.
      expect(seen.finalized).to.be.greaterThan(50);
      expect(seen.extensions).to.be.greaterThan(10);
      expect(seen.reverted).to.be.greaterThan(20);
      expect(seen.equivocations).to.be.greaterThan(5);
      expect(seen.expired).to.be.greaterThan(10);
      expect(seen.future).to.be.greaterThan(3);
    });
  });

  describe("honest witnesses", function () {
    const EPOCHS = [101n, 102n, 103n, 104n];
    /** One witness's capture of one epoch: intact (the agreed content), damaged, or missed. */
    const view = fc.oneof(
      { weight: 7, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.constant(2) },
      { weight: 2, arbitrary: fc.constant(-1) },
    );
    const views = fc.array(view, {
      minLength: STREAMS.length * EPOCHS.length * 5,
      maxLength: STREAMS.length * EPOCHS.length * 5,
    });

    /** Each witness's one signature per epoch it captured (honest: one content per slot). */
    async function honestSignatures(f: LedgerFixture, captures: readonly number[]) {
      const signatures: { content: ObservationContent; witness: number; signature: Hex }[] = [];
      let k = 0;
      for (const stream of STREAMS)
        for (const epoch of EPOCHS)
          for (const [witness, w] of f.witnesses.entries()) {
            const capture = captures[k++]!;
            if (capture < 0) continue;
            const content = contentAt(stream, epoch, capture);
            signatures.push({ content, witness, signature: await f.signatureOf(content, w) });
          }
      return signatures;
    }

    it("never records one as an equivocator, whatever the order, batching and path in which its signatures land; slots finalize once, chains stay linear", async function () {
      this.timeout(600_000);
      const PATHS = ["attest", "attestMany", "signed", "compact"] as const;
      const delivery = fc.record({
        keys: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
        cuts: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        paths: fc.array(fc.constantFrom(...PATHS), { minLength: 40, maxLength: 40 }),
      });
      const seen = { finalized: 0, expired: 0, linkedOverGap: 0 };
      await fc.assert(
        fc.asyncProperty(views, delivery, async (captures, { keys, cuts, paths }) => {
          const f = await loadLedgerFixture();
          const model = new ChainModel();
          const indexOf = new Map(f.witnesses.map((w, i) => [w.address.toLowerCase(), BigInt(i)]));
          const [active, quorum] = await f.registry.read.membership();
          const all = await honestSignatures(f, captures);
          for (const s of all) model.signed(s.content, f.witnesses[s.witness]!);
          // A random order, cut into random batches, each landed by a random path.
          const order = all.map((s, i) => ({ s, key: keys[i]! })).sort((a, b) => a.key - b.key);
          const batches: (typeof all)[] = [];
          order.forEach(({ s }, i) => {
            if (i === 0 || cuts[i]) batches.push([]);
            batches.at(-1)!.push(s);
          });
          const logs: Log[] = [];
          for (const [b, batch] of batches.entries()) {
            const path = paths[b]!;
            if (path === "attest") {
              for (const s of batch) {
                const call = (await f.ledgerAs(f.witnesses[s.witness]!)).write.attest([s.content]);
                try {
                  logs.push(...(await f.receiptOf(await call)).logs);
                } catch {
                  // Racing: the slot finalized, or the head passed the content when its quorum came.
                  const { errorName } = await captureRevert(call, f.ledger);
                  expect(errorName).to.be.oneOf(["SlotAlreadyFinalized", "ObservationExpired"]);
                }
              }
            } else if (path === "attestMany") {
              for (const [witness, w] of f.witnesses.entries()) {
                const mine = batch.filter((s) => s.witness === witness).map((s) => s.content);
                if (mine.length === 0) continue;
                logs.push(
                  ...(await f.receiptOf(await (await f.ledgerAs(w)).write.attestMany([mine]))).logs,
                );
              }
            } else {
              const items = batch.map((s) => ({
                content: s.content,
                signatures: [{ witness: f.witnesses[s.witness]!.address, signature: s.signature }],
              }));
              const hash =
                path === "signed"
                  ? await f.ledger.write.submitSignedAttestations([items])
                  : await f.ledger.write.submitCompactAttestations(
                      packCompactBatch(items.map(toCompactObservation)),
                    );
              logs.push(...(await f.receiptOf(hash)).logs);
            }
          }
          const events = decodedEvents(f.ledger, logs);
          expect(events.filter((e) => e.eventName === "EquivocationRecorded")).to.deep.equal([]);
          for (const e of events.filter(isFinalization)) {
            model.finalized(e, { active, quorum }, indexOf);
            seen.finalized++;
          }
          expect(await model.checkEquivocations(f, f.witnesses)).to.equal(0);
          seen.expired += (await model.check(f)).expired;
          // A content whose quorum landed is final or expired: it never waits.
          for (const [hash, content] of model.known) {
            if ((model.signedBy.get(hash)?.size ?? 0) < 3) continue;
            expect((await f.ledger.read.candidateStatus([content]))[0]).to.be.oneOf([
              CANDIDATE_STATUS_VALUE.finalized,
              CANDIDATE_STATUS_VALUE.expired,
            ]);
          }
          for (const head of model.heads.values())
            if (head.sequence < BigInt(EPOCHS.length - 1)) seen.linkedOverGap++;
        }),
        { numRuns: 60 },
      );
      expect(seen.finalized).to.be.greaterThan(100);
      expect(seen.expired).to.be.greaterThan(10);
      expect(seen.linkedOverGap).to.be.greaterThan(10);
    });

    it("finalizes every epoch a quorum agrees on when relayed in buildRelayBatch order, whatever happened to the other epochs", async function () {
      this.timeout(600_000);
      await fc.assert(
        fc.asyncProperty(views, fc.boolean(), async (captures, compact) => {
          const f = await loadLedgerFixture();
          const all = await honestSignatures(f, captures);
          const items = buildRelayBatch({
            signatures: all.map((s) => ({
              content: s.content,
              witness: f.witnesses[s.witness]!.address,
              signature: s.signature,
            })),
            heads: new Map(),
          });
          if (items.length === 0) return;
          await f.receiptOf(
            compact
              ? await f.ledger.write.submitCompactAttestations(
                  packCompactBatch(items.map(toCompactObservation)),
                )
              : await f.ledger.write.submitSignedAttestations([items]),
          );
          const supporters = new Map<Hex, number>();
          for (const s of all)
            supporters.set(hashOf(s.content), (supporters.get(hashOf(s.content)) ?? 0) + 1);
          for (const item of items) {
            const [status] = await f.ledger.read.candidateStatus([item.content]);
            if (supporters.get(hashOf(item.content))! >= 3)
              expect(status).to.equal(CANDIDATE_STATUS_VALUE.finalized);
            else expect(status).to.not.equal(CANDIDATE_STATUS_VALUE.finalized);
          }
        }),
        { numRuns: 40 },
      );
    });
  });
});
