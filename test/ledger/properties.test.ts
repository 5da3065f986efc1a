import { expect } from "chai";
import fc from "fast-check";
import { zeroHash, type Hex, type LocalAccount } from "viem";

import { decodedEvents, type ExpectedEvent } from "../support/events";
import { captureRevert } from "../support/revert";
import { packCompactBatch, toCompactObservation } from "../../lib/ledger/compactSignatures";
import type { ObservationHeader } from "../../lib/types/abi";
import { hardhatAccount, hashOf, headerAt, loadLedgerFixture, slotOf, streamOf } from "./fixture";

/**
 * Randomized sequences of membership changes, attestations by transaction, relayed batches and
 * finalize calls, checked against the properties of docs/PROPERTIES.md after every step.
 */

const UNIVERSE = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => hardhatAccount(i));
const STREAMS = [streamOf(1), streamOf(2)];

/** How a step picks the header it attests: extend the head, speculate past a candidate, or diverge. */
const headerChoice = fc.record({
  stream: fc.integer({ min: 0, max: STREAMS.length - 1 }),
  parent: fc.constantFrom("head", "head", "candidate", "genesis"),
  pick: fc.nat(),
  gap: fc.integer({ min: 0, max: 1 }),
  variant: fc.integer({ min: 0, max: 1 }),
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
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("attest" as const),
      witness: signerSet,
      header: headerChoice,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("relay" as const),
      compact: fc.boolean(),
      items: fc.array(fc.record({ header: headerChoice, signers: signerSet }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("finalize" as const), pick: fc.nat() }) },
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

interface Known {
  readonly header: ObservationHeader;
  readonly epochId: bigint;
}

interface Model {
  /** Every header the run produced, by observation hash. */
  known: Map<Hex, Known>;
  /** Which witnesses signed or sent an attestation of which observation. */
  signedBy: Map<Hex, Set<string>>;
  /** Slots in which each witness signed something: slot -> witness -> observation hashes. */
  signedInSlot: Map<Hex, Map<string, Set<Hex>>>;
  finalized: ExpectedEvent[];
}

interface HeaderChoice {
  stream: number;
  parent: string;
  pick: number;
  gap: number;
  variant: number;
}

function buildHeader(model: Model, heads: Map<Hex, Hex>, choice: HeaderChoice): ObservationHeader {
  const stream = STREAMS[choice.stream]!;
  const candidates = [...model.known.values()].filter((k) => k.header.streamHash === stream);
  let parent: Known | undefined;
  if (choice.parent === "head") parent = model.known.get(heads.get(stream) ?? zeroHash);
  else if (choice.parent === "candidate" && candidates.length > 0)
    parent = candidates[choice.pick % candidates.length];
  const epochId = (parent?.epochId ?? 100n) + 1n + BigInt(choice.gap);
  const header = headerAt(
    stream,
    epochId,
    parent && { hash: hashOf(parent.header), sequence: parent.header.sequence },
    choice.variant,
  );
  model.known.set(hashOf(header), { header, epochId });
  return header;
}

function noteSigned(model: Model, header: ObservationHeader, witness: LocalAccount) {
  const hash = hashOf(header);
  const who = witness.address.toLowerCase();
  model.signedBy.set(hash, (model.signedBy.get(hash) ?? new Set()).add(who));
  const slot = slotOf(header);
  const bySlot = model.signedInSlot.get(slot) ?? new Map<string, Set<Hex>>();
  bySlot.set(who, (bySlot.get(who) ?? new Set()).add(hash));
  model.signedInSlot.set(slot, bySlot);
}

function popCount(x: bigint): number {
  let n = 0;
  for (let v = x; v > 0n; v >>= 1n) n += Number(v & 1n);
  return n;
}

describe("EveryChannelObservationLedger properties (fast-check)", function () {
  it("keeps every ledger and registry property over random sequences", async function () {
    const seen = { finalized: 0, reverted: 0, equivocations: 0, extensions: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
        const f = await loadLedgerFixture();
        const model: Model = {
          known: new Map(),
          signedBy: new Map(),
          signedInSlot: new Map(),
          finalized: [],
        };
        const heads = new Map<Hex, Hex>();
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
        for (const [i, w] of f.witnesses.entries()) indexOf.set(w.address.toLowerCase(), BigInt(i));

        for (const step of actions) {
          const [activeBefore, quorumBefore] = await f.registry.read.membership();
          let logs: Parameters<typeof decodedEvents>[1] = [];
          let promise: Promise<Hex> | undefined;
          let contract: { abi: typeof f.ledger.abi } | { abi: typeof f.registry.abi } = f.ledger;
          if (step.kind === "attest") {
            const [witness] = await pickSigners(step.witness);
            if (witness === undefined) continue;
            const header = buildHeader(model, heads, step.header);
            const as = await f.ledgerAs(witness);
            promise = as.write.attest([header]);
            noteSigned(model, header, witness);
          } else if (step.kind === "relay") {
            const items = [];
            for (const item of step.items) {
              const header = buildHeader(model, heads, item.header);
              const signers = await pickSigners(item.signers);
              items.push(await f.signed(header, signers));
              for (const s of signers) noteSigned(model, header, s);
            }
            promise = step.compact
              ? f.ledger.write.submitCompactAttestations(
                  packCompactBatch(items.map(toCompactObservation)),
                )
              : f.ledger.write.submitSignedAttestations([items]);
          } else if (step.kind === "finalize") {
            const all = [...model.known.values()];
            if (all.length === 0) continue;
            promise = f.ledger.write.finalize([all[step.pick % all.length]!.header]);
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
          try {
            const hash = await promise;
            logs = (await f.publicClient.waitForTransactionReceipt({ hash })).logs;
          } catch {
            // A revert must be one of the contract's named errors (never a panic or an empty revert).
            const decoded = await captureRevert(promise, contract);
            expect(decoded.errorName).to.match(/^[A-Z]/);
            seen.reverted++;
            continue;
          }
          if (step.kind === "membership") {
            for (const e of decodedEvents(f.registry, logs)) {
              if (e.eventName === "WitnessAdded")
                indexOf.set(String(e.args.witness).toLowerCase(), e.args.index as bigint);
            }
          }
          for (const e of decodedEvents(f.ledger, logs)) {
            if (e.eventName === "EquivocationRecorded") seen.equivocations++;
            if (
              e.eventName !== "ObservationFinalized" &&
              e.eventName !== "ObservationProposedAndFinalized"
            )
              continue;
            seen.finalized++;
            if (model.known.get(e.args.observationHash as Hex)!.header.sequence !== 0n)
              seen.extensions++;
            const hash = e.args.observationHash as Hex;
            const witnesses = e.args.witnesses as bigint;
            const known = model.known.get(hash)!;
            // P2: quorum of distinct witnesses, all members when counted, all of whom attested this header.
            expect(popCount(witnesses)).to.be.at.least(Number(quorumBefore));
            expect(witnesses & ~activeBefore).to.equal(0n);
            const signerBits = [...(model.signedBy.get(hash) ?? [])].reduce(
              (acc, w) => acc | (1n << (indexOf.get(w) ?? 255n)),
              0n,
            );
            expect(witnesses & ~signerBits).to.equal(0n);
            // P3: the chain stays linear.
            const stream = known.header.streamHash;
            const previous = heads.get(stream);
            expect(known.header.parentObservationHash).to.equal(previous ?? zeroHash);
            if (previous === undefined) expect(known.header.sequence).to.equal(0n);
            else {
              const prev = model.known.get(previous)!.header;
              expect(known.header.sequence).to.equal(prev.sequence + 1n);
              expect(known.header.observedUnixMs > prev.observedUnixMs).to.equal(true);
            }
            heads.set(stream, hash);
            model.finalized.push(e);
          }
          // Registry invariants hold after every step.
          const [active, quorum] = await f.registry.read.membership();
          const count = await f.registry.read.witnessCount();
          expect(BigInt(popCount(active))).to.equal(count);
          expect(quorum >= 1n && quorum <= count && 2n * quorum > count).to.equal(true);
        }

        // P1: at most one finalized observation per slot, and the slot records exactly it.
        // (ObservationProposedAndFinalized carries no slot topic: the slot is the header's.)
        const slotOfEvent = (e: ExpectedEvent): Hex =>
          slotOf(model.known.get(e.args.observationHash as Hex)!.header);
        const slots = model.finalized.map(slotOfEvent);
        expect(new Set(slots).size).to.equal(slots.length);
        for (const e of model.finalized) {
          expect(await f.ledger.read.slotStatus([slotOfEvent(e)])).to.deep.equal([
            2,
            e.args.observationHash,
            0n,
          ]);
        }
        for (const [stream, head] of heads) {
          expect((await f.ledger.read.finalizedHead([stream]))[0]).to.equal(head);
        }
        for (const stream of STREAMS.filter((s) => !heads.has(s))) {
          expect((await f.ledger.read.finalizedHead([stream]))[0]).to.equal(zeroHash);
        }
        // P4: within an open slot, no witness is recorded on two candidates; P6: every recorded
        // equivocation is backed by two signed candidates of the slot.
        const bySlot = new Map<Hex, Hex[]>();
        for (const [hash, k] of model.known)
          bySlot.set(slotOf(k.header), [...(bySlot.get(slotOf(k.header)) ?? []), hash]);
        for (const [slot, hashes] of bySlot) {
          const seen = new Set<string>();
          for (const hash of hashes) {
            for (const w of await f.ledger.read.attestationsOf([hash])) {
              expect(
                seen.has(w.toLowerCase()),
                `witness ${w} recorded twice in slot ${slot}`,
              ).to.equal(false);
              seen.add(w.toLowerCase());
            }
          }
          for (const w of UNIVERSE) {
            const [, b] = await f.ledger.read.equivocation([slot, w.address]);
            if (b !== zeroHash) {
              expect(
                (model.signedInSlot.get(slot)?.get(w.address.toLowerCase())?.size ?? 0) >= 2,
              ).to.equal(true);
            }
          }
        }
        // P5: registry indices are never reused.
        for (const [address, index] of indexOf) {
          expect((await f.registry.read.witnessAt([index])).toLowerCase()).to.equal(address);
        }
      }),
      { numRuns: 150 },
    );
    // The generators reach every kind of outcome, so the properties above were exercised.
    expect(seen.finalized).to.be.greaterThan(50);
    expect(seen.extensions).to.be.greaterThan(10);
    expect(seen.reverted).to.be.greaterThan(20);
    expect(seen.equivocations).to.be.greaterThan(5);
  });
});
