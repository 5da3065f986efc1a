import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { concatHex, decodeErrorResult, type Hex, type Log } from "viem";

import { packCompactBatch } from "../../lib/ledger/compactSignatures";
import type { ObservationLedgerDomain } from "../../lib/ledger/typedData";
import type { CompactObservation } from "../../lib/ledger/types";
import type { ObservationContent } from "../../lib/types/abi";
import { decodedEvents } from "../support/events";
import { revertData } from "../support/revert";
import {
  contentAt,
  hardhatAccount,
  hashOf,
  headOf,
  linksOn,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

/**
 * `submitCompactAttestations` has a fast path (`_submitCompactFast`, assembly) for items of empty
 * slots and a general path (`_submitCompact`) for everything else. These tests send the same
 * batches to the ledger and to a harness whose fast path is off, over the same registry, and
 * require the same outcome from both: the same revert, or the same return value, the same events
 * and the same state afterwards.
 */

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const STREAMS = [streamOf(1), streamOf(2)];
const STRANGER = hardhatAccount(9);

type Mutation = "none" | "duplicate" | "stranger" | "highS" | "zeroR" | "reversed";

interface ItemPlan {
  readonly stream: number;
  readonly kind: "extend" | "gap" | "again" | "rival" | "earlier" | "sameTime" | "future";
  readonly pick: number;
  readonly signers: readonly number[];
  readonly mutation: Mutation;
}

/**
 * The signature with `s` just above n / 2 (parity bit set): the upper half order that EIP-2098 can
 * still encode, refused by both paths. (A real signature's malleable twin, n − s, is almost always
 * at or above 2**255 and cannot be encoded at all.)
 */
function highS(signature: Hex): Hex {
  const vs = (1n << 255n) | (N / 2n + 1n);
  return `0x${signature.slice(2, 66)}${vs.toString(16)}`;
}

function mutate(signatures: Hex, mutation: Mutation, stranger: Hex): Hex {
  const list = signatures
    .slice(2)
    .match(/.{128}/g)!
    .map((s) => `0x${s}` as Hex);
  switch (mutation) {
    case "none":
      return signatures;
    case "duplicate":
      return concatHex([...list, list[0]!]);
    case "stranger":
      return concatHex([...list, stranger]);
    case "highS":
      return concatHex([...list.slice(0, -1), highS(list.at(-1)!)]);
    case "zeroR":
      return concatHex([`0x${"00".repeat(32)}${list[0]!.slice(66)}`, ...list.slice(1)]);
    case "reversed":
      return concatHex(list.reverse());
  }
}

describe("EveryChannelObservationLedger.submitCompactAttestations: fast and general paths", function () {
  async function setUp() {
    const f = await loadLedgerFixture();
    const harness = await hre.viem.deployContract("EveryChannelObservationLedgerHarness", [
      f.registry.address,
    ]);
    await harness.write.setGeneralPathOnly([true]);
    // Seen through the ledger's own ABI, so that both are driven by the same code.
    const general = await hre.viem.getContractAt("EveryChannelObservationLedger", harness.address);
    const generalDomain: ObservationLedgerDomain = {
      ...f.domain,
      verifyingContract: general.address,
    };
    return { f, general, generalDomain };
  }

  type Setup = Awaited<ReturnType<typeof setUp>>;

  /**
   * The revert, decoded; `ObservedInFuture`'s last argument (block time + MAX_FUTURE_MS) depends on
   * the block each ledger's call runs in, so it is left out of the comparison.
   */
  function comparable(ledger: Setup["general"], data: Hex | undefined): unknown {
    if (data === undefined) return undefined;
    const { errorName, args } = decodeErrorResult({ abi: ledger.abi, data });
    return errorName === "ObservedInFuture" ? [errorName, args?.slice(0, 2)] : data;
  }

  /** Sends `build(domain)`'s items to both ledgers; returns both outcomes, required to be equal. */
  async function sendBoth(
    s: Setup,
    build: (domain: ObservationLedgerDomain) => Promise<CompactObservation[]>,
  ): Promise<{ gasFast: bigint; gasGeneral: bigint; reverted: boolean }> {
    const outcomes = [];
    for (const [ledger, domain] of [
      [s.f.ledger, s.f.domain],
      [s.general, s.generalDomain],
    ] as const) {
      const args = packCompactBatch(await build(domain));
      let result: bigint | undefined;
      let revert: Hex | undefined;
      let logs: readonly Log[] = [];
      let gas = 0n;
      try {
        result = (await ledger.simulate.submitCompactAttestations(args)).result;
        const receipt = await s.f.receiptOf(await ledger.write.submitCompactAttestations(args));
        logs = receipt.logs;
        gas = receipt.gasUsed;
      } catch (error) {
        revert = revertData(error);
        expect(revert, String(error)).to.not.equal(undefined);
      }
      outcomes.push({
        result,
        revert: comparable(ledger, revert),
        events: decodedEvents(ledger, logs),
        gas,
      });
    }
    const [fast, general] = outcomes;
    expect(fast!.revert).to.deep.equal(general!.revert);
    expect(fast!.result).to.equal(general!.result);
    expect(fast!.events).to.deep.equal(general!.events);
    return { gasFast: fast!.gas, gasGeneral: general!.gas, reverted: fast!.revert !== undefined };
  }

  /** Every view of the ledger over `contents` and the fixture's witnesses, for comparison. */
  async function state(
    s: Setup,
    ledger: Setup["general"],
    contents: readonly ObservationContent[],
  ): Promise<unknown[]> {
    const views: unknown[] = [];
    for (const stream of STREAMS) views.push(await ledger.read.finalizedHead([stream]));
    for (const content of contents) {
      const slot = slotOf(content);
      views.push(await ledger.read.slotStatus([slot]));
      views.push(await ledger.read.candidateStatus([content]));
      views.push(await ledger.read.attestationsOf([hashOf(content)]));
      for (const w of s.f.witnesses) views.push(await ledger.read.equivocation([slot, w.address]));
    }
    return views;
  }

  it("agree on randomized batches of extensions, gaps, rivals, earlier and future epochs, duplicates, strangers and bad signatures", async function () {
    this.timeout(600_000);
    const item: fc.Arbitrary<ItemPlan> = fc.record({
      stream: fc.nat(STREAMS.length - 1),
      kind: fc.constantFrom<ItemPlan["kind"]>(
        "extend",
        "extend",
        "extend",
        "gap",
        "again",
        "again",
        "rival",
        "rival",
        "earlier",
        "earlier",
        "sameTime",
        "future",
      ),
      pick: fc.nat(),
      signers: fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
      mutation: fc.constantFrom<Mutation>(
        "none",
        "none",
        "none",
        "none",
        "duplicate",
        "reversed",
        "stranger",
        "highS",
        "zeroR",
      ),
    });
    const step = fc.record({
      items: fc.array(item, { minLength: 1, maxLength: 6 }),
      removeLast: fc.boolean(),
    });
    const seen = { fastPathUsed: false, finalized: 0, expiredSkips: 0, futureReverts: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        const s = await setUp();
        const built: ObservationContent[] = [];
        // Per stream: the latest epoch built and how many rival variants it has.
        const tips = STREAMS.map(() => ({ epoch: 99n, variant: 0 }));
        let removed = false;
        for (const { items, removeLast } of steps) {
          // Membership changes between batches: witness 4 leaves (quorum stays 3 of 4) or comes back.
          if (removeLast !== removed) {
            const w = s.f.witnesses[4]!.address;
            await s.f.registry.write.updateWitnessSet([
              removeLast ? [] : [w],
              removeLast ? [w] : [],
              3n,
            ]);
            removed = removeLast;
          }
          const contents = items.map((plan) => {
            const t = tips[plan.stream]!;
            const stream = STREAMS[plan.stream]!;
            let content: ObservationContent;
            if (plan.kind === "again" && built.length > 0) {
              // A content already submitted (open, finalized, superseded or expired).
              return built[plan.pick % built.length]!;
            } else if (plan.kind === "rival" && t.epoch >= 100n) {
              content = contentAt(stream, t.epoch, ++t.variant);
            } else if (plan.kind === "earlier" && t.epoch >= 101n) {
              // An epoch before the latest: a new slot behind the head, or a rival in an old one.
              content = contentAt(
                stream,
                t.epoch - 1n - BigInt(plan.pick % 3),
                10 + (plan.pick % 2),
              );
            } else if (plan.kind === "sameTime" && t.epoch >= 100n) {
              // A new epoch that claims the latest epoch's time.
              const latest = contentAt(stream, t.epoch);
              content = { ...contentAt(stream, ++t.epoch), observedUnixMs: latest.observedUnixMs };
              t.variant = 0;
            } else if (plan.kind === "future") {
              content = { ...contentAt(stream, ++t.epoch), observedUnixMs: 2n ** 63n };
              t.variant = 0;
            } else {
              t.epoch += plan.kind === "gap" ? 2n + BigInt(plan.pick % 3) : 1n;
              t.variant = 0;
              content = contentAt(stream, t.epoch);
            }
            built.push(content);
            return content;
          });
          const { gasFast, gasGeneral, reverted } = await sendBoth(s, async (domain) =>
            Promise.all(
              items.map(async (plan, i) => {
                const signers = plan.signers.map((k) => s.f.witnesses[k]!);
                const item = await s.f.compact(contents[i]!, signers, domain);
                const stranger = (await s.f.compact(contents[i]!, [STRANGER], domain)).signatures;
                return {
                  content: item.content,
                  signatures: mutate(item.signatures, plan.mutation, stranger),
                };
              }),
            ),
          );
          if (reverted && items.some((p) => p.kind === "future")) seen.futureReverts++;
          if (!reverted && gasFast < gasGeneral) seen.fastPathUsed = true;
          expect(await state(s, s.f.ledger, built)).to.deep.equal(await state(s, s.general, built));
        }
        for (const content of built) {
          const [status] = await s.f.ledger.read.candidateStatus([content]);
          if (status === 2) seen.finalized++;
          if (status === 4) seen.expiredSkips++;
        }
      }),
      { numRuns: 60, seed: 20_261_207 },
    );
    // The comparison is not vacuous: the fast path took items (it costs less gas), contents
    // finalized and expired, and future contents reverted on both.
    expect(seen.fastPathUsed).to.equal(true);
    expect(seen.finalized).to.be.greaterThan(20);
    expect(seen.expiredSkips).to.be.greaterThan(5);
    expect(seen.futureReverts).to.be.greaterThan(2);
  });

  it("agree on a batch that alternates streams and meets new signers in the middle of items", async function () {
    const s = await setUp();
    const [a0, a1, a2] = [100n, 101n, 102n].map((e) => contentAt(STREAMS[0]!, e));
    const [b0, b1, b2] = [100n, 101n, 102n].map((e) => contentAt(STREAMS[1]!, e));
    const w = s.f.witnesses;
    // a2 is first seen with one signature: open.
    await sendBoth(s, async (domain) => [await s.f.compact(a2!, [w[1]!], domain)]);
    const { gasFast, gasGeneral } = await sendBoth(s, async (domain) => [
      // Fast: a0, then b0 (a0's head is stored when the stream changes), then a1 (the head stays in
      // memory) ...
      await s.f.compact(a0!, [w[0]!, w[1]!, w[2]!], domain),
      await s.f.compact(b0!, [w[3]!, w[0]!, w[4]!], domain),
      await s.f.compact(a1!, [w[1]!, w[2]!, w[3]!], domain),
      // ... general: a2's slot is open; it links to a1 only if a1's head was stored first.
      await s.f.compact(a2!, [w[0]!, w[2]!], domain),
      // Fast again, meeting signers in a new order; then an open content with one signature.
      await s.f.compact(b1!, [w[4]!, w[3]!, w[2]!], domain),
      await s.f.compact(b2!, [w[1]!], domain),
    ]);
    expect(gasFast < gasGeneral).to.equal(true);
    const all = [a0!, a1!, a2!, b0!, b1!, b2!];
    expect(await state(s, s.f.ledger, all)).to.deep.equal(await state(s, s.general, all));
    expect(await s.f.ledger.read.finalizedHead([STREAMS[0]!])).to.deep.equal(
      headOf(linksOn([a0!, a1!, a2!], undefined)[2]!),
    );
    expect(await s.f.ledger.read.finalizedHead([STREAMS[1]!])).to.deep.equal(
      headOf(linksOn([b0!, b1!], undefined)[1]!),
    );
  });

  it("agree that a content at the head's very time is expired, against the head kept in memory and the stored one", async function () {
    const s = await setUp();
    const a0 = contentAt(STREAMS[0]!, 100n);
    const [a1, a2] = [101n, 102n].map((e) => ({
      ...contentAt(STREAMS[0]!, e),
      observedUnixMs: a0.observedUnixMs,
    }));
    const a3 = { ...contentAt(STREAMS[0]!, 103n), observedUnixMs: a0.observedUnixMs + 1n };
    const w = s.f.witnesses;
    await sendBoth(s, async (domain) => [
      await s.f.compact(a0, [w[0]!, w[1]!, w[2]!], domain),
      await s.f.compact(a1!, [w[2]!, w[3]!, w[4]!], domain),
    ]);
    await sendBoth(s, async (domain) => [
      await s.f.compact(a2!, [w[0]!, w[3]!, w[4]!], domain),
      await s.f.compact(a3, [w[1]!, w[3]!, w[4]!], domain),
    ]);
    const all = [a0, a1!, a2!, a3];
    expect(await state(s, s.f.ledger, all)).to.deep.equal(await state(s, s.general, all));
    expect(await s.f.ledger.read.finalizedHead([STREAMS[0]!])).to.deep.equal(
      headOf(linksOn([a0, a3], undefined)[1]!),
    );
  });

  it("agree when the head kept in memory expires the next item of its stream", async function () {
    const s = await setUp();
    const [a0, a1, a2] = [100n, 101n, 102n].map((e) => contentAt(STREAMS[0]!, e));
    const w = s.f.witnesses;
    await sendBoth(s, async (domain) => [
      // a2 finalizes first (fast); a1, behind the head kept in memory, is expired: skipped.
      await s.f.compact(a2!, [w[0]!, w[1]!, w[2]!], domain),
      await s.f.compact(a1!, [w[2]!, w[3]!, w[4]!], domain),
      await s.f.compact(a0!, [w[0]!], domain),
    ]);
    const all = [a0!, a1!, a2!];
    expect(await state(s, s.f.ledger, all)).to.deep.equal(await state(s, s.general, all));
    expect(await s.f.ledger.read.finalizedHead([STREAMS[0]!])).to.deep.equal(
      headOf(linksOn([a2!], undefined)[0]!),
    );
  });
});
