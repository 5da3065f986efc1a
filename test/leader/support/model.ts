/**
 * An executable model of the round-robin inbox's rules, written from the interface's specification
 * (`IEveryChannelRoundRobinInbox`), used as the oracle of the property tests: the contract must accept
 * and refuse exactly what the model does, and the derivation must yield exactly the model's accepted
 * posts.
 */
import { getAddress, type Address } from "viem";

export interface InboxModel {
  readonly origin: bigint;
  readonly window: bigint;
  readonly silence: bigint;
  leaders: Address[];
  /** Rotation offset: window `w` is led by `leaders[(w + offset) % n]`. */
  offset: bigint;
  lastLeaderPost: bigint;
  /** Taken-over window plus one (0: none). */
  takenOver: bigint;
}

export type PostOutcome =
  | { accepted: true; viaFallback: boolean; takeover: boolean; window: bigint }
  | {
      accepted: false;
      error: "NoLeaders" | "NotLeader" | "FallbackNotOpen" | "LeaderWindowTakenOver";
    };

const windowAt = (m: InboxModel, block: bigint) => (block - m.origin) / m.window;

function currentIndex(m: InboxModel, block: bigint): number {
  const n = BigInt(m.leaders.length);
  return n === 0n ? 0 : Number((windowAt(m, block) + m.offset) % n);
}

function rotate(m: InboxModel, block: bigint, current: number, reset: boolean): void {
  const n = BigInt(m.leaders.length);
  const w = windowAt(m, block);
  m.offset = n === 0n ? 0n : (BigInt(current) + n - (w % n)) % n;
  if (reset) {
    m.lastLeaderPost = block;
    m.takenOver = 0n;
  }
}

export function addLeader(m: InboxModel, leader: Address, block: bigint): void {
  const current = currentIndex(m, block);
  const wasEmpty = m.leaders.length === 0;
  m.leaders.push(getAddress(leader));
  rotate(m, block, current, wasEmpty);
}

export function removeLeader(m: InboxModel, leader: Address, block: bigint): void {
  const current = currentIndex(m, block);
  const removed = m.leaders.indexOf(getAddress(leader));
  if (removed < 0) throw new Error(`model: ${leader} is not a leader`);
  const count = m.leaders.length;
  m.leaders.splice(removed, 1);
  if (removed < current) rotate(m, block, current - 1, false);
  else if (removed > current) rotate(m, block, current, false);
  else rotate(m, block, count === 1 ? 0 : current % (count - 1), true);
}

export function createModel(
  origin: bigint,
  window: bigint,
  silence: bigint,
  leaders: readonly Address[],
): InboxModel {
  const m: InboxModel = {
    origin,
    window,
    silence,
    leaders: [],
    offset: 0n,
    lastLeaderPost: origin,
    takenOver: 0n,
  };
  for (const leader of leaders) addLeader(m, leader, origin);
  return m;
}

export function leaderAt(m: InboxModel, block: bigint): Address | undefined {
  const n = BigInt(m.leaders.length);
  if (n === 0n || block < m.origin) return undefined;
  return m.leaders[Number((windowAt(m, block) + m.offset) % n)];
}

export function nextLeaderAt(m: InboxModel, block: bigint): Address | undefined {
  const n = BigInt(m.leaders.length);
  if (n < 2n || block < m.origin) return undefined;
  return m.leaders[Number((windowAt(m, block) + m.offset + 1n) % n)];
}

/** Applies a post by `sender` in block `block` (after the block's earlier posts). */
export function post(m: InboxModel, sender: Address, block: bigint): PostOutcome {
  const leader = leaderAt(m, block);
  if (leader === undefined) return { accepted: false, error: "NoLeaders" };
  const w = windowAt(m, block);
  const who = getAddress(sender);
  if (who === leader) {
    if (m.takenOver === w + 1n) return { accepted: false, error: "LeaderWindowTakenOver" };
    m.lastLeaderPost = block;
    return { accepted: true, viaFallback: false, takeover: false, window: w };
  }
  if (who !== nextLeaderAt(m, block)) return { accepted: false, error: "NotLeader" };
  if (m.takenOver === w + 1n)
    return { accepted: true, viaFallback: true, takeover: false, window: w };
  const start = m.origin + w * m.window;
  const silenceStart = m.lastLeaderPost + 1n > start ? m.lastLeaderPost + 1n : start;
  if (block < silenceStart + m.silence) return { accepted: false, error: "FallbackNotOpen" };
  m.takenOver = w + 1n;
  return { accepted: true, viaFallback: true, takeover: true, window: w };
}
