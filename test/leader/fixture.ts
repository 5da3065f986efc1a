/** Shared set-up of the leader-election tests on the in-process chain. */
import hre from "hardhat";
import { getAddress, keccak256, toHex, type Address, type Hex } from "viem";

/** A deterministic address that is not one of the node's accounts. */
export function addressOf(label: string): Address {
  return getAddress(keccak256(toHex(label)).slice(0, 42));
}

/** `length` bytes of batch data: the derivation version byte 0, then pseudo-random non-zero-heavy bytes. */
export function batchData(length: number, seed = 1): Hex {
  if (length === 0) return "0x";
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 1; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return toHex(bytes);
}

export async function mineBlocks(count: number): Promise<void> {
  if (count > 0) await hre.network.provider.send("hardhat_mine", [`0x${count.toString(16)}`]);
}

export async function setAutomine(on: boolean): Promise<void> {
  await hre.network.provider.send("evm_setAutomine", [on]);
}

export async function mine(): Promise<void> {
  await hre.network.provider.send("evm_mine", []);
}

/**
 * Deploys the inbox with the first `leaderCount` of the node's accounts after the owner as leaders.
 * Accounts: 0 owner, 1..leaderCount leaders, then the rest (strangers, spare leaders).
 */
export async function deployInbox(leaderCount: number, window: bigint, silence: bigint) {
  const wallets = await hre.viem.getWalletClients();
  const publicClient = await hre.viem.getPublicClient();
  const owner = wallets[0]!;
  const leaders = wallets.slice(1, 1 + leaderCount);
  const others = wallets.slice(1 + leaderCount);
  const inbox = await hre.viem.deployContract("EveryChannelRoundRobinInbox", [
    owner.account.address,
    leaders.map((w) => w.account.address),
    window,
    silence,
  ]);
  const origin = await inbox.read.scheduleOrigin();
  const receiptOf = (hash: Hex) => publicClient.waitForTransactionReceipt({ hash });
  return { inbox, owner, leaders, others, publicClient, origin, receiptOf };
}

/** Mines empty blocks until the next transaction lands in block `block` (automine on). */
export async function landNextIn(block: bigint): Promise<void> {
  const publicClient = await hre.viem.getPublicClient();
  const head = await publicClient.getBlockNumber();
  if (block <= head) throw new Error(`block ${block} is not after the head ${head}`);
  await mineBlocks(Number(block - head - 1n));
}
