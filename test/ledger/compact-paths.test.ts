import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { concatHex, type Hex, type Log } from "viem";

import { packCompactBatch } from "../../lib/ledger/compactSignatures";
import type { ObservationLedgerDomain } from "../../lib/ledger/typedData";
import type { CompactObservation } from "../../lib/ledger/types";
import type { ObservationHeader } from "../../lib/types/abi";
import { decodedEvents } from "../support/events";
import { revertData } from "../support/revert";
import {
  hardhatAccount,
  hashOf,
  headerAt,
  linkOf,
  loadLedgerFixture,
  slotOf,
  streamOf,
} from "./fixture";

/**
 * `submitCompactAttestations` has a fast path (`_submitCompactFast`) for items of empty slots and a
 * general path (`_submitCompact`) for everything else. These tests send the same batches to the
 * ledger and to a harness whose fast path is off, over the same registry, and require the same
 * outcome from both: the same revert data, or the same return value, the same events and the same
 * state afterwards.
 */

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const STREAMS = [streamOf(1), streamOf(2)];
const STRANGER = hardhatAccount(9);

type Mutation = "none" | "duplicate" | "stranger" | "highS" | "zeroR" | "reversed";

interface ItemPlan {
  readonly stream: number;
  readonly kind: "extend" | "rival" | "stale" | "again";
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
        const receipt = await s.f.publicClient.waitForTransactionReceipt({
          hash: await ledger.write.submitCompactAttestations(args),
        });
        logs = receipt.logs;
        gas = receipt.gasUsed;
      } catch (error) {
        revert = revertData(error);
        expect(revert, String(error)).to.not.equal(undefined);
      }
      outcomes.push({ result, revert, events: decodedEvents(ledger, logs), gas });
    }
    const [fast, general] = outcomes;
    expect(fast!.revert).to.equal(general!.revert);
    expect(fast!.result).to.equal(general!.result);
    expect(fast!.events).to.deep.equal(general!.events);
    return { gasFast: fast!.gas, gasGeneral: general!.gas, reverted: fast!.revert !== undefined };
  }

  /** Every view of the ledger over `headers` and the fixture's witnesses, for comparison. */
  async function state(
    s: Setup,
    ledger: Setup["general"],
    headers: readonly ObservationHeader[],
  ): Promise<unknown[]> {
    const views: unknown[] = [];
    for (const stream of STREAMS) views.push(await ledger.read.finalizedHead([stream]));
    for (const header of headers) {
      const slot = slotOf(header);
      views.push(await ledger.read.slotStatus([slot]));
      views.push(await ledger.read.candidateStatus([slot, hashOf(header)]));
      views.push(await ledger.read.attestationsOf([hashOf(header)]));
      for (const w of s.f.witnesses) views.push(await ledger.read.equivocation([slot, w.address]));
    }
    return views;
  }

  it("agree on randomized batches of extensions, rivals, stale parents, duplicates, strangers and bad signatures", async function () {
    this.timeout(600_000);
    const item: fc.Arbitrary<ItemPlan> = fc.record({
      stream: fc.nat(STREAMS.length - 1),
      kind: fc.constantFrom("extend", "extend", "extend", "again", "again", "rival", "stale"),
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
    let fastPathUsed = false;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        const s = await setUp();
        const built: ObservationHeader[] = [];
        // Per stream: the last header built (the tip), its parent link, and the next epoch.
        const tips = STREAMS.map(() => ({
          tip: undefined as ObservationHeader | undefined,
          epoch: 100n,
          variant: 0,
        }));
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
          const headers = items.map((plan) => {
            const t = tips[plan.stream]!;
            const stream = STREAMS[plan.stream]!;
            let header: ObservationHeader;
            if (plan.kind === "again" && built.length > 0) {
              // A header already submitted (open, finalized or superseded), with other signatures.
              return built[plan.pick % built.length]!;
            } else if (plan.kind === "rival" && t.tip !== undefined) {
              const parent = built.find((h) => hashOf(h) === t.tip!.parentObservationHash);
              header = headerAt(
                stream,
                t.epoch - 1n,
                parent === undefined ? undefined : linkOf(parent),
                ++t.variant,
              );
            } else if (plan.kind === "stale" && t.tip !== undefined) {
              header = headerAt(stream, t.epoch++, {
                hash: hashOf(t.tip),
                sequence: t.tip.sequence + 5n,
              });
            } else {
              header = headerAt(stream, t.epoch++, t.tip === undefined ? undefined : linkOf(t.tip));
              t.tip = header;
            }
            built.push(header);
            return header;
          });
          const { gasFast, gasGeneral, reverted } = await sendBoth(s, async (domain) =>
            Promise.all(
              items.map(async (plan, i) => {
                const signers = plan.signers.map((k) => s.f.witnesses[k]!);
                const item = await s.f.compact(headers[i]!, signers, domain);
                const stranger = (await s.f.compact(headers[i]!, [STRANGER], domain)).signatures;
                return {
                  header: item.header,
                  signatures: mutate(item.signatures, plan.mutation, stranger),
                };
              }),
            ),
          );
          if (!reverted && gasFast < gasGeneral) fastPathUsed = true;
          expect(await state(s, s.f.ledger, built)).to.deep.equal(await state(s, s.general, built));
        }
      }),
      { numRuns: 60, seed: 20_261_121 },
    );
    // The comparison is not vacuous: the fast path took items (it costs less gas).
    expect(fastPathUsed).to.equal(true);
  });

  it("agree on a batch that alternates streams and meets new signers in the middle of items", async function () {
    const s = await setUp();
    const [a0, a1, a2] = [100n, 101n, 102n].reduce<ObservationHeader[]>((chain, epoch) => {
      const previous = chain.at(-1);
      return [...chain, headerAt(STREAMS[0]!, epoch, previous && linkOf(previous))];
    }, []);
    const [b0, b1] = [100n, 101n].reduce<ObservationHeader[]>((chain, epoch) => {
      const previous = chain.at(-1);
      return [...chain, headerAt(STREAMS[1]!, epoch, previous && linkOf(previous))];
    }, []);
    const w = s.f.witnesses;
    // a2 is first seen speculatively (its parent a1 is not final): open with one signature.
    await sendBoth(s, async (domain) => [await s.f.compact(a2!, [w[1]!], domain)]);
    const { gasFast, gasGeneral } = await sendBoth(s, async (domain) => [
      // Fast: a0, then b0 (a0's head is stored when the stream changes), then a1 (the head stays in
      // memory) ...
      await s.f.compact(a0!, [w[0]!, w[1]!, w[2]!], domain),
      await s.f.compact(b0!, [w[3]!, w[0]!, w[4]!], domain),
      await s.f.compact(a1!, [w[1]!, w[2]!, w[3]!], domain),
      // ... general: a2's slot is open, and it finalizes only if a1's head was stored first.
      await s.f.compact(a2!, [w[0]!, w[2]!], domain),
      // Fast again, meeting signers in a new order; then an open candidate with one signature.
      await s.f.compact(b1!, [w[4]!, w[3]!, w[2]!], domain),
      await s.f.compact(headerAt(STREAMS[1]!, 102n, linkOf(b1!)), [w[1]!], domain),
    ]);
    expect(gasFast < gasGeneral).to.equal(true);
    const all = [a0!, a1!, a2!, b0!, b1!];
    expect(await state(s, s.f.ledger, all)).to.deep.equal(await state(s, s.general, all));
    expect((await s.f.ledger.read.finalizedHead([STREAMS[0]!]))[0]).to.equal(hashOf(a2!));
    expect((await s.f.ledger.read.finalizedHead([STREAMS[1]!]))[0]).to.equal(hashOf(b1!));
  });
});
