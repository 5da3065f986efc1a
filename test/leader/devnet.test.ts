// `npx hardhat leader:devnet` end to end, as an operator runs it: anvil on 127.0.0.1 as L1, batcher
// processes, one killed part-way, the frame stream rebuilt from L1. Small settings keep it short.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { runScript, type ScriptResult } from "../smoke/support/run-script";

const HARDHAT = "node_modules/.bin/hardhat";

interface ReportJson {
  ok: boolean;
  problems: string[];
  frames: number;
  windowsChecked: number;
  firstBlock: string;
  lastBlock: string;
  killed: { batcher: string; afterBlock: string } | null;
  batchers: {
    name: string;
    state: string;
    windowsLed: number;
    takeovers: number;
    framesPosted: number;
    postsAccepted: number;
    revertedFiltered: number;
    selfReported?: { outOfTurn: number; outOfTurnAccepted: number; accepted: number };
  }[];
}

function devnet(args: string[]): Promise<ScriptResult> {
  return runScript(HARDHAT, ["leader:devnet", ...args], {
    env: { TS_NODE_TRANSPILE_ONLY: "true" },
  });
}

function expectGone(pid: number, what: string): void {
  expect(pid, what).to.be.greaterThan(0);
  expect(() => process.kill(pid, 0), `${what} (pid ${pid}) still running`).to.throw(/ESRCH/);
}

describe("leader:devnet on anvil", function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), "leader-devnet-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the inbox live across a killed batcher and rebuilds every frame once, in order", async function () {
    const json = path.join(dir, "report.json");
    // 400 ms blocks: an out-of-turn probe sent at one head must still be out of turn when mined.
    // With 150 ms blocks on a host at load ~20 one landed two blocks later, in its sender's turn:
    // accepted, and its frames counted twice.
    const result = await devnet([
      "--batchers",
      "3",
      "--blocks",
      "60",
      "--window",
      "6",
      "--silence",
      "3",
      "--block-time",
      "400",
      "--out-of-turn-every",
      "5",
      "--json",
      json,
    ]);
    expect(result.code, `${result.stdout}\n${result.stderr.slice(-3000)}`).to.equal(0);
    const report = JSON.parse(readFileSync(json, "utf8")) as ReportJson;
    expect(report.ok).to.equal(true);
    expect(report.problems).to.deep.equal([]);
    expect(BigInt(report.lastBlock) - BigInt(report.firstBlock) + 1n).to.equal(60n);
    expect(report.killed?.batcher).to.equal("batcher 2");
    expect(report.windowsChecked).to.be.greaterThan(6);
    const [one, two, three] = report.batchers;
    expect(report.batchers.map((b) => b.state)).to.deep.equal(["ran", "killed", "ran"]);
    // Batcher 3 follows batcher 2 in the rotation: it took the dead batcher's windows over.
    expect(three!.takeovers, "takeovers by the next leader").to.be.greaterThan(0);
    expect(one!.takeovers, "batcher 1 follows batcher 3, which stayed alive").to.equal(0);
    for (const b of report.batchers) {
      expect(b.windowsLed, b.name).to.be.greaterThan(0);
      expect(b.framesPosted, b.name).to.equal(b.postsAccepted * 4);
    }
    expect(report.frames).to.equal(report.batchers.reduce((n, b) => n + b.framesPosted, 0));
    // Every batcher's out-of-turn probes reverted and were filtered out.
    for (const b of [one!, three!]) {
      expect(b.selfReported!.outOfTurn, b.name).to.be.greaterThan(0);
      expect(b.selfReported!.outOfTurnAccepted, b.name).to.equal(0);
      expect(b.revertedFiltered, b.name).to.be.greaterThan(0);
    }
    expect(two!.selfReported).to.equal(undefined);
    // The table, and nothing left running.
    expect(result.stdout).to.match(
      /windows led\s+takeovers\s+frames posted\s+posts accepted\s+reverted attempts filtered\s+state/,
    );
    expect(result.stdout).to.match(
      /batcher 2\s+0x[0-9a-fA-F]{40}\s+\d+\s+0\s+\d+\s+\d+\s+\d+\s+killed after block \d+/,
    );
    expect(result.stdout).to.contain("stream OK: no frame missing, duplicated or out of order");
    expectGone(Number(/stopped anvil \(pid (\d+)\)/.exec(result.stderr)?.[1]), "anvil");
    const pids = [...result.stderr.matchAll(/batcher \d pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).to.have.length(3);
    for (const pid of pids) expectGone(pid, "batcher process");
  });

  it("exits non-zero, naming the frames, when reverted batches are not filtered out", async function () {
    const result = await devnet([
      "--batchers",
      "2",
      "--blocks",
      "30",
      "--window",
      "4",
      "--silence",
      "2",
      "--block-time",
      "150",
      "--kill",
      "0",
      "--out-of-turn-every",
      "3",
      "--keep-reverted",
    ]);
    expect(result.code, result.stderr.slice(-2000)).to.equal(1);
    expect(result.stdout).to.contain("FAILED:");
    expect(result.stderr).to.match(/leader:devnet: \d+ problem\(s\):/);
    expect(result.stderr).to.match(/frame \d+ (duplicated|out of order)/);
    expectGone(Number(/stopped anvil \(pid (\d+)\)/.exec(result.stderr)?.[1]), "anvil");
  });

  it("refuses bad options in one line before starting anything", async function () {
    const result = await devnet(["--window", "6", "--silence", "6"]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("--silence: must be less than --window (6) (got 6)");
    expect(result.stderr).to.not.contain("anvil (pid");
  });
});
