/**
 * Shared test support for the rail: fixtures, sample values, and an assertion that lists the exact
 * events a transaction emitted (revert assertions live in `test/support/revert.ts`).
 */
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import hre from "hardhat";
import {
  encodeAbiParameters,
  keccak256,
  parseEventLogs,
  toHex,
  type Abi,
  type Hex,
  type TransactionReceipt,
} from "viem";

import { readRailDomain, type RailDomain } from "../../lib/rail/domain";
import type { AnnouncementPointer, ManifestPointer } from "../../lib/rail/typedData";
import { abiParameters, type StreamKey } from "../../lib/types/abi";

/** Lower-cases hex strings so addresses compare regardless of checksum. */
function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith("0x") ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

export type ExpectedEvent = { eventName: string; args: Record<string, unknown> };

/** Asserts that the receipt holds exactly `expected` events of `abi`, in order, with those arguments. */
export function expectEvents(
  receipt: TransactionReceipt,
  abi: Abi,
  expected: readonly ExpectedEvent[],
): void {
  const logs = parseEventLogs({ abi, logs: receipt.logs });
  expect(logs.map((log) => normalize({ eventName: log.eventName, args: log.args }))).to.deep.equal(
    expected.map((e) => normalize(e)),
  );
}

/** `stream-id-keccak256-v1`: keccak256(abi.encode(StreamKey)). */
export function streamIdOf(key: StreamKey): Hex {
  return keccak256(encodeAbiParameters([abiParameters.StreamKey], [key]));
}

/** A distinct sample stream key per `n`. */
export function sampleStreamKey(n: number): StreamKey {
  return {
    broadcast: {
      standard: 0,
      region: "0x5553",
      rfChannel: 20 + n,
      transportStreamId: 0x0801 + n,
      programNumber: 3,
      majorChannel: 7 + n,
      minorChannel: 1,
      callsign: `KABC${n}`,
    },
    profile: "ts-original",
  };
}

/** A deterministic 32-byte value, distinct per label. */
export function word(label: string): Hex {
  return keccak256(toHex(label));
}

export function sampleManifestPointer(
  streamId: Hex,
  overrides: Partial<ManifestPointer> = {},
): ManifestPointer {
  const epochId = overrides.epochId ?? 7n;
  const revision = overrides.revision ?? 1n;
  const tag = `${streamId}/${epochId}/${revision}`;
  return {
    streamId,
    epochId,
    manifestBodyHash: word(`body/${tag}`),
    manifestEnvelopeHash: word(`envelope/${tag}`),
    dataRoot: word(`data/${tag}`),
    manifestId: word(`blake3/${tag}`),
    revision,
    ...overrides,
  };
}

export function sampleAnnouncementPointer(
  streamId: Hex,
  overrides: Partial<AnnouncementPointer> = {},
): AnnouncementPointer {
  const sequence = overrides.sequence ?? 1n;
  const tag = `${streamId}/${sequence}`;
  return {
    streamId,
    announcementHash: word(`announcement/${tag}`),
    descriptorHash: word(`descriptor/${tag}`),
    sequence,
    ...overrides,
  };
}

/** A far deadline, valid for every test. */
export const FAR_DEADLINE = 2n ** 48n;

async function accounts() {
  const publicClient = await hre.viem.getPublicClient();
  const [publisher, other, relayer, successor] = await hre.viem.getWalletClients();
  if (!publisher || !other || !relayer || !successor) throw new Error("hardhat accounts missing");
  return { publicClient, publisher, other, relayer, successor };
}

async function deployRail() {
  // The test rail is the production contract plus a pinnable clock (`setTime`), for exact deadlines.
  const rail = await hre.viem.deployContract("TestEveryChannelRail");
  const base = await accounts();
  const domain: RailDomain = await readRailDomain(base.publicClient, { address: rail.address });
  const key = sampleStreamKey(0);
  const streamId = streamIdOf(key);
  return { rail, ...base, domain, key, streamId };
}

/** A fresh test rail with nothing claimed. */
export function deployRailFixture() {
  return loadFixture(deployRail);
}

async function deployClaimedRail() {
  const base = await deployRail();
  const hash = await base.rail.write.claimStream([base.key], { account: base.publisher.account });
  await base.publicClient.waitForTransactionReceipt({ hash });
  return base;
}

/** A fresh test rail whose sample stream `streamId` is claimed by `publisher`. */
export function claimedRailFixture() {
  return loadFixture(deployClaimedRail);
}

/**
 * A deployer used only here, at nonce 0 after every fixture revert: the production rail always lands
 * at the same address, so its EIP-712 domain, the signatures over it, and therefore calldata and gas
 * do not depend on which tests ran before.
 */
const PRODUCTION_DEPLOYER = "0x00000000000000000000000000000000000e7e7a" as const;

async function deployProductionRail() {
  const testClient = await hre.viem.getTestClient();
  await testClient.impersonateAccount({ address: PRODUCTION_DEPLOYER });
  await testClient.setBalance({ address: PRODUCTION_DEPLOYER, value: 10n ** 20n });
  await testClient.setNonce({ address: PRODUCTION_DEPLOYER, nonce: 0 });
  const deployer = await hre.viem.getWalletClient(PRODUCTION_DEPLOYER);
  const rail = await hre.viem.deployContract("EveryChannelRail", [], {
    client: { wallet: deployer },
  });
  await testClient.stopImpersonatingAccount({ address: PRODUCTION_DEPLOYER });
  const base = await accounts();
  const domain: RailDomain = await readRailDomain(base.publicClient, { address: rail.address });
  return { rail, ...base, domain };
}

/** A fresh production `EveryChannelRail` (no test hooks), for gas figures and properties. */
export function productionRailFixture() {
  return loadFixture(deployProductionRail);
}

export type RailFixture = Awaited<ReturnType<typeof deployRail>>;
export type Actor = RailFixture["publisher"];

/** Waits for the transaction and asserts that it succeeded. */
export async function mined(
  fixture: { publicClient: RailFixture["publicClient"] },
  hash: Promise<Hex>,
): Promise<TransactionReceipt> {
  const receipt = await fixture.publicClient.waitForTransactionReceipt({ hash: await hash });
  expect(receipt.status).to.equal("success");
  return receipt;
}
