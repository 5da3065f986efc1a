// End to end against anvil on 127.0.0.1 set to the ecp-forge chain id, driven the way an operator
// drives it: `npx hardhat --network ecpForgeL2 …` processes with the secrets in their environment.
import { expect } from "chai";
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPublicClient, http, keccak256, toHex, type Hex } from "viem";

import { checkArchiveLine } from "../../lib/archive/schema";
import { streamId } from "../../lib/commitments/stream";
import { deriveObservationContent } from "../../lib/derive/observation";
import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { isEmptyHead } from "../../lib/ledger/client";
import { createManifest, createManifestBody } from "../../lib/manifest/envelope";
import { freePort, startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import type { StreamControlAnnouncement, StreamKey } from "../../lib/types/abi";
import { toJson } from "../../lib/validation/json-form";
import {
  devAddress,
  devKey,
  ecpForgeOperatorSecrets,
  OperatorProcesses,
} from "../support/operator-processes";
import { recordedLedger } from "../support/ledger-client";
import { archiveSlice } from "./archive-slices";

const EPOCHS = 9;

describe("end to end on anvil with the ecp-forge chain id", function () {
  let node: StartAnvilReturnType;
  let dir: string;
  let env: Record<string, string>;
  // The operator's environment: secrets as environment variables (and one as a Hardhat var).
  const processes = new OperatorProcesses(() => env);
  const start = processes.start.bind(processes);
  const hardhat = processes.run.bind(processes);
  const stop = processes.stop.bind(processes);

  const client = () => createPublicClient({ transport: http(node.url) });
  const nonces = async () =>
    Promise.all([0, 1, 2, 3].map((i) => client().getTransactionCount({ address: devAddress(i) })));

  before(async function () {
    node = await startAnvil({ chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID, accounts: 12 });
    dir = await mkdtemp(path.join(tmpdir(), "e2e-"));
    env = ecpForgeOperatorSecrets(
      node.url,
      ECP_FORGE_L2_DEFAULT_CHAIN_ID,
      path.join(dir, "deployments"),
    );
  });

  after(async function () {
    await processes.stopAll();
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("refuses a missing secret, a wrong chain id and an unreachable RPC URL, sending nothing", async function () {
    const port = await freePort();
    const [missing, wrongChain, unreachable] = await Promise.all([
      hardhat(["deploy"], { HARDHAT_VAR_DEPLOYER_PRIVATE_KEY: undefined }),
      hardhat(["deploy"], { ECP_FORGE_L2_CHAIN_ID: "4242" }),
      hardhat(["registry:show"], { ECP_FORGE_L2_RPC_URL: `http://127.0.0.1:${port}` }),
    ]);
    expect(missing.code).to.not.equal(0);
    expect(missing.output).to.include(
      "missing secret DEPLOYER_PRIVATE_KEY (needed for the ecpForgeL2 network)",
    );
    expect(wrongChain.output).to.include(
      `reports chain id ${ECP_FORGE_L2_DEFAULT_CHAIN_ID}, but ecpForgeL2 is configured for chain id 4242`,
    );
    expect(unreachable.output).to.include(
      `ecpForgeL2: RPC URL http://127.0.0.1:${port} is unreachable`,
    );
    expect(await client().getBlockNumber()).to.equal(0n);
    expect(await nonces()).to.deep.equal([0, 0, 0, 0]);
  });

  it("deploys, and a second deploy with nothing changed sends no transaction", async function () {
    const first = await hardhat(["deploy"]);
    expect(first.code, first.output).to.equal(0);
    expect(first.output).to.match(
      /deploying "EveryChannelWitnessRegistry".*deployed at 0x[0-9a-fA-F]{40} with \d+ gas/,
    );
    expect((await readdir(path.join(dir, "deployments", "ecpForgeL2"))).sort()).to.include.members([
      "EveryChannelObservationLedger.json",
      "EveryChannelRail.json",
      "EveryChannelWitnessRegistry.json",
    ]);
    expect(first.output).to.match(
      /deploy plan on ecpForgeL2:\n {2}EveryChannelWitnessRegistry: deploy to 0x[0-9a-fA-F]{40}\n {4}L2 gas: \d+/,
    );
    expect(first.output).to.include(
      "    L1 data fee: none expected (no GasPriceOracle predeploy on this chain)",
    );
    const [deployerNonce] = await nonces();
    expect(deployerNonce).to.equal(3);
    const block = await client().getBlockNumber();
    const second = await hardhat(["deploy"]);
    expect(second.code, second.output).to.equal(0);
    expect(second.output).to.include('reusing "EveryChannelWitnessRegistry"');
    expect(second.output).to.match(
      /EveryChannelRail: unchanged at 0x[0-9a-fA-F]{40} \(no transaction\)/,
    );
    expect(await client().getBlockNumber()).to.equal(block);
    expect((await nonces())[0]).to.equal(3);
  });

  it("adds and removes a witness as the owner", async function () {
    const extra = devAddress(7);
    const refused = await hardhat(["witness:add", extra]);
    expect(refused.output).to.include(
      "quorum 2 would not be a strict majority of 4 witnesses (needs 2 × quorum > 4); pass --quorum with a value from 3 to 4",
    );
    const added = await hardhat(["witness:add", extra, "--quorum", "3"]);
    expect(added.code, added.output).to.equal(0);
    expect(added.output).to.include(
      "L1 data fee: none expected (no GasPriceOracle predeploy on this chain)",
    );
    const ledger = await recordedLedger(client(), path.join(dir, "deployments", "ecpForgeL2"));
    expect(await ledger.quorum()).to.equal(3n);
    expect(await ledger.activeWitnesses()).to.deep.equal([4, 5, 6, 7].map(devAddress));
    const removed = await hardhat(["witness:remove", extra, "--quorum", "2"]);
    expect(removed.code, removed.output).to.equal(0);
    expect(await ledger.quorum()).to.equal(2n);
    expect(await ledger.activeWitnesses()).to.deep.equal([4, 5, 6].map(devAddress));
    const shown = await hardhat(["registry:show"]);
    expect(shown.output).to.include("quorum: 2 of 3 witnesses");
    expect(shown.output).to.include(`witness 3: ${devAddress(6)}`);
  });

  it("two witnesses on growing archives and a relayer finalize every epoch, across a witness killed and restarted", async function () {
    const a = archiveSlice("witness-a", "KGO-HD", EPOCHS);
    const b = archiveSlice("witness-b", "KGO-HD", EPOCHS);
    const fileA = path.join(dir, "capture-a.jsonl");
    const fileB = path.join(dir, "capture-b.jsonl");
    const outbox = path.join(dir, "signatures");
    const stateB = path.join(dir, "state-b");
    await writeFile(fileA, `${a.slice(0, 3).join("\n")}\n`);
    await writeFile(fileB, `${b.slice(0, 3).join("\n")}\n`);
    const tuning = ["--window", "1", "--idle-flush", "300", "--hold", "1000", "--poll", "100"];
    const witnessA = start(["witness:run", "--archive", fileA, ...tuning], {
      WITNESS_PRIVATE_KEY: devKey(4),
    });
    const runB = () =>
      start(
        ["witness:run", "--archive", fileB, "--sign-to", outbox, "--state", stateB, ...tuning],
        { WITNESS_PRIVATE_KEY: devKey(5) },
      );
    let witnessB = runB();
    const relayer = start(["relayer:run", "--signatures", outbox, "--poll", "300"]);

    const ledger = await recordedLedger(client(), path.join(dir, "deployments", "ecpForgeL2"));
    const first = checkArchiveLine(a[0]!);
    if (!first.ok) throw new Error(first.problem);
    const streamHash = deriveObservationContent(first.entry).streamHash;
    const head = async (): Promise<bigint> => {
      const found = await ledger.head(streamHash);
      return isEmptyHead(found) ? -1n : found.sequence;
    };
    const waitFor = async (what: () => Promise<boolean>, label: string) => {
      const deadline = Date.now() + 120_000;
      while (!(await what())) {
        if (Date.now() > deadline)
          throw new Error(
            `timed out waiting for ${label}\nA:\n${witnessA.output()}\nB:\n${witnessB.output()}\nrelayer:\n${relayer.output()}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    };
    const signedByB = async () =>
      (await readdir(outbox).catch(() => [] as string[])).filter((f) => f.endsWith(".json")).length;

    await waitFor(async () => (await signedByB()) >= 3, "witness B's first signatures");
    await appendFile(fileA, `${a.slice(3, 6).join("\n")}\n`);
    await appendFile(fileB, `${b.slice(3, 5).join("\n")}\n`);
    await waitFor(async () => (await signedByB()) >= 4, "witness B to sign epoch 4");
    await stop(witnessB.child, "SIGKILL"); // mid-way: epoch 5 was appended, maybe signed
    await appendFile(fileB, `${b.slice(5, 7).join("\n")}\n`);
    await appendFile(fileA, `${a.slice(6).join("\n")}\n`);
    witnessB = runB();
    await appendFile(fileB, `${b.slice(7).join("\n")}\n`);
    await waitFor(
      async () => (await head()) === BigInt(EPOCHS - 1),
      `all ${EPOCHS} epochs to finalize`,
    );

    for (const child of [witnessA.child, witnessB.child, relayer.child])
      await stop(child, "SIGTERM");
    const status = (await hardhat(["ledger:status"])).output;
    expect(status).to.match(new RegExp(`${EPOCHS} finalized; 0 open slots \\(0 contested,`));
    expect(status).to.include("equivocations: 0");
    expect(await signedByB()).to.equal(EPOCHS);
    const journal = (await readFile(path.join(stateB, "journal.jsonl"), "utf8"))
      .split("\n")
      .filter((line) => line.includes('"attested"'))
      .map((line) => (JSON.parse(line) as { slot: string }).slot);
    expect(journal).to.have.length(EPOCHS);
    expect(new Set(journal).size).to.equal(EPOCHS);
    expect(witnessB.output()).to.match(/resuming after line \d+/);
  });

  it("publishes a manifest and an announcement, and refuses a malformed manifest file", async function () {
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
    const manifestFile = path.join(dir, "manifest.json");
    await writeFile(manifestFile, JSON.stringify(toJson("Manifest", createManifest(body))));
    const keyFile = path.join(dir, "key.json");
    await writeFile(keyFile, JSON.stringify(toJson("StreamKey", key)));
    const malformed = path.join(dir, "malformed.json");
    await writeFile(
      malformed,
      JSON.stringify({ ...(toJson("Manifest", createManifest(body)) as object), manifestId: "zz" }),
    );
    const before = await nonces();
    const refused = await hardhat(["rail:publish-manifest", malformed, "--stream-key", keyFile]);
    expect(refused.code).to.not.equal(0);
    expect(refused.output).to.match(/malformed\.json\.manifestId: .*\(got "zz"\)/);
    expect(await nonces()).to.deep.equal(before);

    const published = await hardhat([
      "rail:publish-manifest",
      manifestFile,
      "--stream-key",
      keyFile,
    ]);
    expect(published.code, published.output).to.equal(0);
    expect(published.output).to.match(/publishManifest for stream 0x[0-9a-f]{64} as /);

    const announcement: StreamControlAnnouncement = {
      streamId: streamId(key),
      source: { nodeId: h("node"), device: "hdhomerun-10a2b3c4" },
      descriptorHash: h("descriptor"),
      relayUrls: ["https://relay.every.channel"],
      sequence: 1n,
      issuedUnixMs: BigInt(Date.now()),
      expiresUnixMs: BigInt(Date.now()) + 3_600_000n,
    };
    const announcementFile = path.join(dir, "announcement.json");
    await writeFile(
      announcementFile,
      JSON.stringify(toJson("StreamControlAnnouncement", announcement)),
    );
    const signed = path.join(dir, "announcement.signed.json");
    const signing = await hardhat(["rail:announce", announcementFile, "--sign-only", signed]);
    expect(signing.code, signing.output).to.equal(0);
    const relayed = await hardhat(["rail:announce", announcementFile, "--signature", signed]);
    expect(relayed.code, relayed.output).to.equal(0);
    expect(relayed.output).to.match(/PublishAnnouncement for 0x[0-9a-fA-F]{40} relayed by /);
  });
});
