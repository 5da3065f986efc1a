// The glue of rail:publish-manifest and rail:announce: bad input, no deployment record, no code at
// the address, dry run.
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { keccak256, toHex, type Hex } from "viem";

import { streamId } from "../../lib/commitments/stream";
import { DEPLOYMENTS } from "../../lib/deploy/context";
import { createManifest, createManifestBody } from "../../lib/manifest/envelope";
import type { StreamControlAnnouncement, StreamKey } from "../../lib/types/abi";
import { toJson } from "../../lib/validation/json-form";
import { expectNothingSent, NO_CODE, refusal, runTask } from "./support";

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

describe("rail tasks", function () {
  let dir: string;
  let manifest: string;
  let announcement: string;
  let streamKey: string;
  let malformed: string;

  /** Each rail task with arguments that are good apart from what a case changes. */
  const railTasks = (): (readonly [string, Record<string, unknown>])[] => [
    ["rail:publish-manifest", { manifest, streamKey, deadline: "3600", dryRun: true }],
    ["rail:announce", { announcement, streamKey, deadline: "3600", dryRun: true }],
  ];

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "rail-tasks-"));
    const body = createManifestBody({
      streamId: streamId(key),
      epochId: 289000000n,
      epochStartUnixMs: 1734000000000n,
      epochDurationMs: 6000,
      variants: [
        { name: "ts-original", chunks: [{ index: 0, size: 1316000, blake3: h("chunk-0") }] },
      ],
      psipBlake3: h("psip"),
      publisher: { nodeId: h("node"), device: "hdhomerun-10a2b3c4" },
      createdUnixMs: 1734000006123n,
    });
    const manifestJson = toJson("Manifest", createManifest(body)) as Record<string, unknown>;
    manifest = path.join(dir, "manifest.json");
    await writeFile(manifest, JSON.stringify(manifestJson));
    malformed = path.join(dir, "malformed.json");
    await writeFile(malformed, JSON.stringify({ ...manifestJson, manifestId: "zz" }));
    const now = BigInt(Date.now());
    const control: StreamControlAnnouncement = {
      streamId: streamId(key),
      source: { nodeId: h("node"), device: "hdhomerun-10a2b3c4" },
      descriptorHash: h("descriptor"),
      relayUrls: ["https://relay.every.channel"],
      sequence: 1n,
      issuedUnixMs: now,
      expiresUnixMs: now + 3_600_000n,
    };
    announcement = path.join(dir, "announcement.json");
    await writeFile(announcement, JSON.stringify(toJson("StreamControlAnnouncement", control)));
    streamKey = path.join(dir, "key.json");
    await writeFile(streamKey, JSON.stringify(toJson("StreamKey", key)));
    await hre.deployments.fixture(["Rail"]);
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuse bad input in one line naming the file or field and the value, sending nothing", async function () {
    const [[, publish], [, announce]] = railTasks() as [
      readonly [string, Record<string, unknown>],
      readonly [string, Record<string, unknown>],
    ];
    await expectNothingSent(async () => {
      expect(await refusal("rail:publish-manifest", { ...publish, manifest: malformed })).to.match(
        /malformed\.json\.manifestId: .*\(got "zz"\)$/,
      );
      const missing = path.join(dir, "missing.json");
      expect(await refusal("rail:announce", { ...announce, announcement: missing })).to.include(
        missing,
      );
      expect(
        await refusal("rail:publish-manifest", { ...publish, revision: "0", dryRun: false }),
      ).to.equal('revision: must be from 1 to 9007199254740991 (got "0")');
      expect(
        await refusal("rail:announce", {
          ...announce,
          signOnly: path.join(dir, "signed.json"),
          deadline: "10",
        }),
      ).to.equal('deadline: must be from 60 to 31536000 (got "10")');
      expect(
        await refusal("rail:announce", {
          ...announce,
          signOnly: path.join(dir, "signed.json"),
          signature: path.join(dir, "signed.json"),
        }),
      ).to.match(/^--sign-only writes a publisher's signature and --signature relays one/);
      expect(await refusal("rail:announce", { ...announce, rail: "0xnope" })).to.equal(
        'rail: is not an address (got "0xnope")',
      );
    });
  });

  it("refuse without a deployment record, naming the network, the record and --rail", async function () {
    await hre.deployments.delete(DEPLOYMENTS.Rail);
    for (const [name, args] of railTasks()) {
      expect(await refusal(name, args), name).to.match(
        /^hardhat: no EveryChannelRail deployment record \(\S*hardhat[/\\]EveryChannelRail\.json\); .*, or pass --rail <address>$/,
      );
    }
  });

  it("refuse an address without contract code", async function () {
    for (const [name, args] of railTasks()) {
      expect(await refusal(name, { ...args, rail: NO_CODE }), name).to.equal(
        `rail: no contract code at ${NO_CODE} on network hardhat`,
      );
    }
  });

  it("with --dry-run print each transaction and send nothing", async function () {
    await expectNothingSent(async () => {
      for (const [name, args] of railTasks()) {
        const lines = await runTask(name, args);
        // The claim is estimated; the publication after it cannot be until the claim is mined.
        expect(lines[0], name).to.match(/^claimStream\(0x[0-9a-f]{64}/);
        expect(
          lines.filter((l) => /^ {2}L2 gas: \d+/.test(l)),
          name,
        ).to.have.length(1);
        expect(
          lines.filter((l) => l === "  dry run: nothing sent"),
          name,
        ).to.have.length(2);
      }
    });
  });
});
