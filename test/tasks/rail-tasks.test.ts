// The glue of rail:publish-manifest and rail:announce: bad input, no deployment record, no code at
// the address, dry run.
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { expectNothingSent, NO_CODE, refusal, runTask } from "./support";

/** The files come from the test vectors (canonical JSON forms, docs/types.md). */
const VECTORS = path.join(__dirname, "..", "..", "fixtures", "vectors");
type VectorFile = Record<string, { json?: unknown; manifest?: unknown }[]>;
const vectors = (name: string): VectorFile =>
  JSON.parse(readFileSync(path.join(VECTORS, `${name}.json`), "utf8")) as VectorFile;

describe("rail tasks", function () {
  let dir: string;
  let manifest: string;
  let announcement: string;
  let expired: string;
  let streamKey: string;
  let malformed: string;

  /** Each rail task with arguments that are good apart from what a case changes. */
  const railTasks = (): (readonly [string, Record<string, unknown>])[] => [
    ["rail:publish-manifest", { manifest, streamKey, deadline: "3600", dryRun: true }],
    ["rail:announce", { announcement, streamKey, deadline: "3600", dryRun: true }],
  ];

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "rail-tasks-"));
    const write = async (name: string, value: unknown): Promise<string> => {
      const file = path.join(dir, name);
      await writeFile(file, JSON.stringify(value));
      return file;
    };
    const manifestJson = vectors("manifest").manifests![0]!.manifest as Record<string, unknown>;
    const stream = vectors("stream");
    const control = stream.controlAnnouncements![0]!.json as Record<string, unknown>;
    const now = Date.now();
    manifest = await write("manifest.json", manifestJson);
    malformed = await write("malformed.json", { ...manifestJson, manifestId: "zz" });
    announcement = await write("announcement.json", {
      ...control,
      issuedUnixMs: String(now),
      expiresUnixMs: String(now + 3_600_000),
    });
    expired = await write("expired.json", control);
    streamKey = await write("key.json", stream.streamKeys![0]!.json);
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
      expect(await refusal("rail:announce", { ...announce, announcement: expired })).to.match(
        /expired\.json\.expiresUnixMs: is in the past \(now \d+\): an expired announcement is not mirrored \(got 1734000600000n\)$/,
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
