import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { getAddress, keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";

import { streamId } from "../../lib/commitments/stream";
import { DEPLOYMENTS } from "../../lib/deploy/context";
import { createManifest, createManifestBody } from "../../lib/manifest/envelope";
import type { RailRef } from "../../lib/operator/contracts";
import {
  publishOnRail,
  readAnnouncementFile,
  readManifestFile,
  RailPublicationError,
  type RailMode,
  type RailPublication,
} from "../../lib/operator/rail";
import type { OperatorWallet } from "../../lib/operator/send";
import { manifestPointerFromManifest } from "../../lib/rail/pointer";
import type { StreamControlAnnouncement, StreamKey } from "../../lib/types/abi";
import { toJson } from "../../lib/validation/json-form";

const key: StreamKey = {
  broadcast: {
    standard: 0,
    region: "0x5553",
    rfChannel: 7,
    transportStreamId: 2113,
    programNumber: 3,
    majorChannel: 7,
    minorChannel: 1,
    callsign: "KGO-HD",
  },
  profile: "ts-original",
};
const h = (label: string): Hex => keccak256(toHex(label));

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("rail publication", function () {
  let dir: string;
  let client: PublicClient;
  let rail: RailRef;
  let named: Record<string, Address>;
  let manifestFile: string;
  let announcementFile: string;
  let lines: string[];

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "rail-"));
    await hre.deployments.fixture(["Rail"]);
    const address = (await hre.deployments.get(DEPLOYMENTS.Rail)).address as Address;
    rail = { address, abi: (await hre.viem.getContractAt("EveryChannelRail", address)).abi };
    client = (await hre.viem.getPublicClient()) as PublicClient;
    named = Object.fromEntries(
      Object.entries(await hre.getNamedAccounts()).map(([k, v]) => [k, getAddress(v)]),
    );
    const body = createManifestBody({
      streamId: streamId(key),
      epochId: 289000000n,
      epochStartUnixMs: 1734000000000n,
      epochDurationMs: 6000,
      variants: [
        {
          name: "ts-original",
          chunks: [
            { index: 0, size: 1316000, blake3: h("chunk-0") },
            { index: 1, size: 1315812, blake3: h("chunk-1") },
          ],
        },
      ],
      psipBlake3: h("psip"),
      publisher: { nodeId: h("node"), device: "hdhomerun-10a2b3c4" },
      createdUnixMs: 1734000006123n,
    });
    manifestFile = path.join(dir, "manifest.json");
    await writeFile(manifestFile, JSON.stringify(toJson("Manifest", createManifest(body))));
    const announcement: StreamControlAnnouncement = {
      streamId: streamId(key),
      source: { nodeId: h("node"), device: "hdhomerun-10a2b3c4" },
      descriptorHash: h("descriptor"),
      relayUrls: ["https://relay.every.channel"],
      sequence: 1n,
      issuedUnixMs: BigInt(Date.now()),
      expiresUnixMs: BigInt(Date.now()) + 3_600_000n,
    };
    announcementFile = path.join(dir, "announcement.json");
    await writeFile(
      announcementFile,
      JSON.stringify(toJson("StreamControlAnnouncement", announcement)),
    );
    await writeFile(path.join(dir, "key.json"), JSON.stringify(toJson("StreamKey", key)));
    lines = [];
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function publish(
    publication: RailPublication,
    mode: RailMode,
    from = "publisher",
    dryRun = false,
  ) {
    const wallet = (await hre.viem.getWalletClient(named[from]!)) as OperatorWallet;
    return publishOnRail({
      publicClient: client,
      wallet,
      rail,
      publication,
      mode,
      dryRun,
      log: (l) => lines.push(l),
    });
  }

  it("claims the stream and publishes a manifest as the publisher, then finds it already there", async function () {
    const manifest = await readManifestFile(manifestFile);
    const streamKey = key;
    const result = await publish({ kind: "manifest", manifest }, { kind: "direct", streamKey });
    expect(result.outcome).to.equal("sent");
    const stored = await client.readContract({
      address: rail.address,
      abi: rail.abi,
      functionName: "latestManifest",
      args: [manifest.body.streamId, manifest.body.epochId],
    });
    expect(stored.manifestBodyHash).to.equal(
      manifestPointerFromManifest({ manifest, revision: 1n }).manifestBodyHash,
    );
    expect(stored.revision).to.equal(1n);
    expect(lines.filter((l) => l.startsWith("  L1 data fee: none expected"))).to.have.length(2);
    const again = await publish({ kind: "manifest", manifest }, { kind: "direct" });
    expect(again.outcome).to.equal("already-published");
  });

  it("relays a publisher's signed announcement, checking it against the file", async function () {
    const manifest = await readManifestFile(manifestFile);
    await publish({ kind: "manifest", manifest }, { kind: "direct", streamKey: key });
    const announcement = await readAnnouncementFile(announcementFile, BigInt(Date.now()));
    const out = path.join(dir, "signed.json");
    const signed = await publish(
      { kind: "announcement", announcement },
      { kind: "sign-only", out, deadlineSeconds: 3600n },
    );
    expect(signed.outcome).to.equal("signed");
    const block = await client.getBlockNumber();
    const tampered = { ...announcement, sequence: 2n };
    const mismatch = await rejection(
      publish(
        { kind: "announcement", announcement: tampered },
        { kind: "relay", signatureFile: out },
        "relayer",
      ),
    );
    expect(mismatch.message).to.match(
      /^.*signed\.json: pointer\.announcementHash: does not match the file being published/,
    );
    expect(await client.getBlockNumber()).to.equal(block);
    const relayed = await publish(
      { kind: "announcement", announcement },
      { kind: "relay", signatureFile: out },
      "relayer",
    );
    expect(relayed.outcome).to.equal("sent");
    const stored = await client.readContract({
      address: rail.address,
      abi: rail.abi,
      functionName: "latestAnnouncement",
      args: [announcement.streamId],
    });
    expect(stored.sequence).to.equal(1n);
  });

  it("refuses an unclaimed stream without a key, another publisher's stream and a malformed file, sending nothing", async function () {
    const manifest = await readManifestFile(manifestFile);
    const unclaimed = await rejection(publish({ kind: "manifest", manifest }, { kind: "direct" }));
    expect(unclaimed).to.be.instanceOf(RailPublicationError);
    expect(unclaimed.message).to.match(
      /has no publisher on the rail yet: claim it \(give --stream-key/,
    );
    await publish({ kind: "manifest", manifest }, { kind: "direct", streamKey: key });
    const block = await client.getBlockNumber();
    const notPublisher = await rejection(
      publish({ kind: "manifest", manifest, revision: 2n }, { kind: "direct" }, "relayer"),
    );
    expect(notPublisher.message).to.equal(
      `stream ${manifest.body.streamId}: its publisher is ${named.publisher}, not the signing account ${named.relayer}; nothing was sent`,
    );
    const stale = await rejection(
      publish({ kind: "manifest", manifest, revision: 1n }, { kind: "direct" }),
    );
    expect(stale.message).to.match(
      /^revision: must be above the rail's latest revision 1 of stream/,
    );
    await writeFile(
      path.join(dir, "bad.json"),
      JSON.stringify({
        ...JSON.parse(JSON.stringify(toJson("Manifest", manifest))),
        manifestId: "00".repeat(32),
      }),
    );
    const badId = await rejection(readManifestFile(path.join(dir, "bad.json")));
    expect(badId.message).to.match(/bad\.json\.manifestId: is not BLAKE3\(JCS\(body\)\)/);
    await writeFile(path.join(dir, "broken.json"), "{ not json");
    const broken = await rejection(readManifestFile(path.join(dir, "broken.json")));
    expect(broken.message).to.match(/broken\.json: not JSON/);
    expect(await client.getBlockNumber()).to.equal(block);
  });

  it("prints the estimates and sends nothing on a dry run", async function () {
    const manifest = await readManifestFile(manifestFile);
    const block = await client.getBlockNumber();
    const result = await publish(
      { kind: "manifest", manifest },
      { kind: "direct", streamKey: key },
      "publisher",
      true,
    );
    expect(result.outcome).to.equal("dry-run");
    expect(lines.filter((l) => l === "  dry run: nothing sent").length).to.be.at.least(1);
    expect(await client.getBlockNumber()).to.equal(block);
  });
});
