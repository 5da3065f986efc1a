/**
 * When each witness node gets which epochs: the smoke replays the archives in broadcast time, in
 * rounds, the way witness nodes capturing side by side would see them.
 *
 * An epoch becomes available to its witness when it ends (`startUnixMs + durationMs`). Broadcast
 * time is cut into steps of the shortest epoch duration in the set, so that a stream has at most
 * one epoch ending per step (two slots of one stream ending in the same step, as a witness whose
 * segmenter labelled the epoch differently, go to consecutive steps in their epoch order).
 *
 * - Transaction mode runs one round per step: every witness node is fed the epochs it holds that
 *   end in the step and attests them, the witnesses in a different order every round. This is
 *   witnesses running in real time, whose skew is below one epoch: every attestation of an epoch
 *   lands before any of the next epoch of its stream.
 * - Relayed mode runs one round per `stepsPerRound` steps: the witness nodes, in a different order
 *   every round, sign what they were fed; then the relayer collects and submits. A witness is
 *   late now and then (it signs a round's epochs one round later, never two rounds in a row), so
 *   signatures of one epoch reach the relayer in different rounds and the relayer's hold policy
 *   decides what lands first.
 *
 * Orders and delays come from a fixed seed: the same archives always give the same schedule.
 */
import type { ResolvedEpoch, ArchiveWitness } from "./archive-set";

/** The epochs one witness node is fed in one round, in epoch order. */
export interface ScheduledFeed {
  witness: number;
  epochs: ResolvedEpoch[];
}

export interface ScheduledRound {
  /** Broadcast time (ms) at the end of the round: the relayer's clock. */
  endUnixMs: bigint;
  /** Witness feeds in the order they run; witnesses with nothing to do are left out. */
  feeds: ScheduledFeed[];
}

export interface ScheduleParameters {
  witnesses: readonly ArchiveWitness[];
  /** Steps per round (1 for transaction mode). */
  stepsPerRound: number;
  /** Whether witnesses are late now and then (relayed mode). */
  lateWitnesses: boolean;
}

export interface Schedule {
  rounds: ScheduledRound[];
  /** Broadcast time (ms) of one step. */
  stepMs: bigint;
  /** Broadcast time (ms) of one round. */
  roundMs: bigint;
}

/** mulberry32: a small seeded generator of numbers in [0, 1) (the smoke's orders and delays, fixture noise). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const compareBigint = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

const endOf = (e: ResolvedEpoch): bigint =>
  e.content.observedUnixMs + BigInt(e.epoch.entry.epoch.durationMs);

/** Cuts the witnesses' epochs into rounds; see the file comment. */
export function scheduleRounds(parameters: ScheduleParameters): Schedule {
  const { witnesses, stepsPerRound } = parameters;
  if (!Number.isSafeInteger(stepsPerRound) || stepsPerRound < 1)
    throw new RangeError(`stepsPerRound must be a positive integer (got ${stepsPerRound})`);
  const all = witnesses.flatMap((w) => w.epochs.map((e) => ({ witness: w.index, e })));
  if (all.length === 0) return { rounds: [], stepMs: 1n, roundMs: BigInt(stepsPerRound) };
  let stepMs = BigInt(Math.min(...all.map(({ e }) => e.epoch.entry.epoch.durationMs)));
  if (stepMs < 1n) stepMs = 1n;
  const origin = all.reduce((min, { e }) => (endOf(e) < min ? endOf(e) : min), endOf(all[0]!.e));

  // Steps: (time step, position among the stream's distinct slots in that step).
  const positions = new Map<string, bigint[]>();
  for (const { e } of all) {
    const step = (endOf(e) - origin) / stepMs;
    const key = `${step}|${e.content.streamHash}`;
    const list = positions.get(key) ?? [];
    if (!list.includes(e.content.observedUnixMs)) list.push(e.content.observedUnixMs);
    positions.set(key, list);
  }
  for (const list of positions.values()) list.sort(compareBigint);
  const roundMs = stepMs * BigInt(stepsPerRound);
  const roundOf = (e: ResolvedEpoch): { round: bigint; sub: number } => {
    const step = (endOf(e) - origin) / stepMs;
    const sub = positions.get(`${step}|${e.content.streamHash}`)!.indexOf(e.content.observedUnixMs);
    return { round: step / BigInt(stepsPerRound), sub: stepsPerRound === 1 ? sub : 0 };
  };

  const byRound = new Map<
    string,
    { round: bigint; sub: number; feeds: Map<number, ResolvedEpoch[]> }
  >();
  for (const { witness, e } of all) {
    const { round, sub } = roundOf(e);
    const key = `${round}|${sub}`;
    let entry = byRound.get(key);
    if (entry === undefined) {
      entry = { round, sub, feeds: new Map() };
      byRound.set(key, entry);
    }
    const list = entry.feeds.get(witness) ?? [];
    list.push(e);
    entry.feeds.set(witness, list);
  }
  const ordered = [...byRound.values()].sort(
    (a, b) => compareBigint(a.round, b.round) || a.sub - b.sub,
  );

  const next = seededRandom(0x5eed);
  const lateLast = new Set<number>();
  const carried = new Map<number, ResolvedEpoch[]>();
  const rounds: ScheduledRound[] = [];
  const byEpochOrder = (a: ResolvedEpoch, b: ResolvedEpoch): number =>
    compareBigint(a.content.observedUnixMs, b.content.observedUnixMs) ||
    compareBigint(a.content.epochId, b.content.epochId) ||
    (a.content.streamHash < b.content.streamHash ? -1 : 1);
  for (const [i, entry] of ordered.entries()) {
    const last = i === ordered.length - 1;
    const order = shuffled(
      witnesses.map((w) => w.index),
      next,
    );
    const feeds: ScheduledFeed[] = [];
    for (const witness of order) {
      const epochs = [...(carried.get(witness) ?? []), ...(entry.feeds.get(witness) ?? [])];
      const late = parameters.lateWitnesses && !last && !lateLast.has(witness) && next() < 0.2;
      if (late) {
        lateLast.add(witness);
        carried.set(witness, epochs);
        continue;
      }
      lateLast.delete(witness);
      carried.delete(witness);
      if (epochs.length > 0) feeds.push({ witness, epochs: epochs.sort(byEpochOrder) });
    }
    rounds.push({ endUnixMs: origin + (entry.round + 1n) * roundMs, feeds });
  }
  return { rounds, stepMs, roundMs };
}
