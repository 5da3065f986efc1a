// The glue of witness:run, relayer:run and ledger:status: bad input, no deployment record, no code
// at the address, dry run.
import { expect } from "chai";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";

import { DEPLOYMENTS } from "../../lib/deploy/context";
import { archiveSlice } from "../operator/archive-slices";
import { expectNothingSent, NO_CODE, refusal, runTask } from "./support";

describe("ledger tasks", function () {
  let dir: string;
  let archive: string;
  let signatures: string;

  /** Each ledger task with arguments that are good apart from what a case changes. */
  const ledgerTasks = (): (readonly [string, Record<string, unknown>])[] => [
    ["witness:run", { archive, from: "witness1", window: "4", poll: "20", once: true }],
    ["relayer:run", { signatures, from: "relayer", maxBatch: "32", hold: "0", poll: "20" }],
    ["ledger:status", { json: false }],
  ];

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "ledger-tasks-"));
    archive = path.join(dir, "a.jsonl");
    signatures = path.join(dir, "signatures");
    await mkdir(signatures);
    await writeFile(archive, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("refuse bad input in one line naming the field and the value, sending nothing", async function () {
    const [witness, relayer, status] = ledgerTasks().map(([, args]) => args);
    await expectNothingSent(async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ["witness:run", { ...witness, poll: "5" }, 'poll: must be from 10 to 3600000 (got "5")'],
        [
          "witness:run",
          { ...witness, idleFlush: "soon" },
          'idle-flush: is not a whole number (got "soon")',
        ],
        ["witness:run", { ...witness, archive: dir }, `archive: is not a file (got "${dir}")`],
        [
          "witness:run",
          { ...witness, archive: path.join(dir, "later.jsonl") },
          `archive: does not exist (nothing to read to its end) (got "${path.join(dir, "later.jsonl")}")`,
        ],
        [
          "witness:run",
          { ...witness, archive: path.join(dir, "no", "a.jsonl"), once: false },
          `archive: does not exist, nor does its folder ${path.join(dir, "no")} (got "${path.join(dir, "no", "a.jsonl")}")`,
        ],
        ["relayer:run", { ...relayer, signatures: " , " }, 'signatures: names no path (got " , ")'],
        [
          "relayer:run",
          { ...relayer, maxBatch: "0" },
          'max-batch: must be from 1 to 1000 (got "0")',
        ],
        ["relayer:run", { ...relayer, hold: "1s" }, 'hold: is not a whole number (got "1s")'],
        ["relayer:run", { ...relayer, from: "nobody" }, "from: is neither"],
        [
          "ledger:status",
          { ...status, fromBlock: "-1" },
          'from-block: is not a whole number (got "-1")',
        ],
        ["ledger:status", { ...status, ledger: "0x12" }, 'ledger: is not an address (got "0x12")'],
        [
          "ledger:status",
          { ...status, indexer: "ftp://127.0.0.1/" },
          'indexer: expected an http(s) URL without query or fragment (got "ftp://127.0.0.1/")',
        ],
        [
          "ledger:status",
          { ...status, indexer: "http://127.0.0.1:1" },
          "indexer http://127.0.0.1:1 is unreachable",
        ],
      ];
      for (const [name, args, message] of cases) {
        expect(await refusal(name, args), name).to.satisfy((m: string) => m.startsWith(message));
      }
    });
  });

  it("refuse without a deployment record, naming the network, the record and --ledger; witness:run checks its archive first", async function () {
    await hre.deployments.delete(DEPLOYMENTS.ObservationLedger);
    for (const [name, args] of ledgerTasks()) {
      expect(await refusal(name, args), name).to.match(
        /^hardhat: no EveryChannelObservationLedger deployment record \(\S*hardhat[/\\]EveryChannelObservationLedger\.json\); .*, or pass --ledger <address>$/,
      );
    }
    const missing = path.join(dir, "missing.jsonl");
    expect(await refusal("witness:run", { ...ledgerTasks()[0]![1], archive: missing })).to.equal(
      `archive: does not exist (nothing to read to its end) (got "${missing}")`,
    );
  });

  it("refuse an address without contract code, or a contract that is not a ledger", async function () {
    for (const [name, args] of ledgerTasks()) {
      expect(await refusal(name, { ...args, ledger: NO_CODE }), name).to.equal(
        `ledger: no contract code at ${NO_CODE} on network hardhat`,
      );
    }
    const registry = (await hre.deployments.get(DEPLOYMENTS.WitnessRegistry)).address;
    expect(await refusal("ledger:status", { json: true, ledger: registry })).to.match(
      /^hardhat: the contract at 0x[0-9a-fA-F]{40} is not an observation ledger \(its registry\(\) fails\)$/,
    );
  });

  it("with --dry-run estimate every attestation and batch and send nothing", async function () {
    const [[, witness], [, relayer]] = ledgerTasks() as [
      readonly [string, Record<string, unknown>],
      readonly [string, Record<string, unknown>],
    ];
    await expectNothingSent(async () => {
      const attested = await runTask("witness:run", { ...witness, dryRun: true });
      expect(attested.filter((l) => l === "  dry run: nothing sent")).to.have.length(3);
      expect(attested.filter((l) => /^ {2}L2 gas: \d+/.test(l))).to.have.length(3);
      // Signing for a relayer sends nothing either.
      for (const from of ["witness1", "witness2"]) {
        await runTask("witness:run", { ...witness, from, signTo: signatures });
      }
      expect(await readdir(signatures)).to.have.length(6);
      const relayed = await runTask("relayer:run", { ...relayer, dryRun: true });
      expect(relayed.filter((l) => /^ {2}L2 gas: \d+/.test(l)).length).to.be.greaterThan(0);
      expect(relayed.filter((l) => l === "  dry run: nothing sent").length).to.be.greaterThan(0);
      expect(relayed.at(-1)).to.match(/^relayer: stopped; /);
    });
  });
});
