import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { createPublicClient, getAddress, http, type Address, type Hex } from "viem";

import { readArchiveExpectations } from "../../lib/archive/expectations";
import { finalizationsIn, type LedgerEvent } from "../../lib/ledger/client";
import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import { expectGasSnapshot } from "../support/gas";
import { recordedLedger } from "../support/ledger-client";
import { runScript } from "./support/run-script";
import { SCENARIO } from "./support/scenario";
import { writeScenarioArchive } from "./support/scenario-archive";

const SCRIPT = "scripts/op-stack/anvil-reality-smoke.sh";
const HARDHAT = "node_modules/.bin/hardhat";
const FIXTURES = path.resolve(__dirname, "..", "..", "fixtures", "archive");

interface ModeJson {
  mode: string;
  ledger: Address;
  finalized: number;
  contested: number;
  expired: number;
  open: number;
  refused: number;
  equivocations: number;
  attestations: number;
  attested: number;
  notNeeded: number;
  gasUsed: string;
  gasPerFinalizedObservation: string;
  mismatches: unknown[];
}
interface ReportJson {
  ok: boolean;
  network: string;
  chainId: number;
  modes: ModeJson[];
}

const readReport = (file: string): ReportJson =>
  JSON.parse(readFileSync(file, "utf8")) as ReportJson;

/** The slot of each finalization among `events` (the slot `ObservationProposed` named). */
function finalizedSlots(events: readonly LedgerEvent[]): Hex[] {
  const slotOf = new Map<Hex, Hex>();
  for (const e of events)
    if (e.eventName === "ObservationProposed") slotOf.set(e.args.contentHash, e.args.slot);
  return finalizationsIn(events).map((f) => f.slot ?? slotOf.get(f.contentHash)!);
}

describe("reality-smoke against anvil", function () {
  // Each run replays the recorded fixtures against a real node (about 8,000 transactions in both
  // modes): its time is the machine's, and a loaded 2-CPU machine (a full `npm run coverage` beside
  // other work) needs more than the suite's ten minutes.
  this.timeout(1_800_000);
  let dir: string;
  before(function () {
    dir = mkdtempSync(path.join(tmpdir(), "anvil-reality-smoke-"));
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the recorded fixtures in both modes through scripts/op-stack/anvil-reality-smoke.sh and exits 0", async function () {
    const json = path.join(dir, "anvil-report.json");
    const result = await runScript(SCRIPT, ["--mode", "both", "--json", json], {
      env: { ECP_DEPLOYMENTS_DIR: path.join(dir, "deployments-script") },
    });
    expect(result.code, result.stderr.slice(-3000)).to.equal(0);
    const report = readReport(json);
    expect(report.ok).to.equal(true);
    expect(report.network).to.equal("anvil");
    expect(report.chainId).to.equal(ECP_FORGE_L2_DEFAULT_CHAIN_ID);
    expect(report.modes.map((m) => m.mode)).to.deep.equal(["tx", "relayed"]);
    const expected = await readArchiveExpectations(path.join(FIXTURES, "expected.json"));
    const epochs = expected.streams.flatMap((s) => s.epochs);
    for (const mode of report.modes) {
      expect(mode.mismatches, mode.mode).to.deep.equal([]);
      expect(mode.equivocations).to.equal(0);
      expect(mode.finalized).to.equal(
        epochs.filter((e) => e.outcome.startsWith("finalized")).length,
      );
      expect(mode.refused).to.equal(
        epochs.flatMap((e) => e.groups).filter((g) => g.inFuture === true).length,
      );
    }
    // The same attestations cost the same gas on anvil as on the in-process chain. (Relayed
    // batches carry signatures over another chain id, so their calldata, and gas, differ slightly.)
    expectGasSnapshot("reality-smoke", "fixtures tx gas", BigInt(report.modes[0]!.gasUsed));
    expect(result.stdout).to.match(/gas per finalized observation\s+\d+\s+\d+/);
    // The script stopped its node.
    const pid = Number(/anvil \(pid (\d+)\)/.exec(result.stderr)?.[1]);
    expect(pid).to.be.greaterThan(0);
    expect(() => process.kill(pid, 0)).to.throw(/ESRCH/);
  });

  it("exits with the smoke's non-zero status when the smoke fails", async function () {
    const archive = writeScenarioArchive(path.join(dir, "scenario-status"), SCENARIO);
    const result = await runScript(SCRIPT, ["--archive", archive, "--quorum", "2"], {
      env: { ECP_DEPLOYMENTS_DIR: path.join(dir, "deployments-status") },
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.contain("--quorum: must be a strict majority of the 5 witnesses");
  });

  describe("killed half-way and run again", function () {
    let node: StartAnvilReturnType;
    let env: Record<string, string>;
    let archive: string;

    before(async function () {
      node = await startAnvil({ chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID });
      env = {
        ANVIL_RPC_URL: node.url,
        ECP_DEPLOYMENTS_DIR: path.join(dir, "deployments-resume"),
      };
      archive = writeScenarioArchive(path.join(dir, "scenario-resume"), SCENARIO);
    });
    after(async function () {
      await node.stop();
    });

    it("resumes from the chain: nothing attested twice, every slot complete", async function () {
      const args = ["reality-smoke", "--network", "anvil", "--archive", archive, "--mode", "both"];
      // 1. Killed (SIGKILL, no clean-up) once transaction mode is a fifth of the way through.
      const killed = await runScript(HARDHAT, args, {
        env,
        onStderr: (text, child) => {
          if (/reality-smoke tx: \d+\/\d+ \((2|3|4)\d%\)/.test(text)) child.kill("SIGKILL");
        },
      });
      expect(killed.signal).to.equal("SIGKILL");
      const ledger = await recordedLedger(
        createPublicClient({ transport: http(node.url) }),
        path.join(env.ECP_DEPLOYMENTS_DIR!, "anvil"),
      );
      const finalizations = async (): Promise<Hex[]> => finalizedSlots(await ledger.events(0n));
      const finalizedTotal = SCENARIO.streams
        .flatMap((s) => s.epochs)
        .filter((e) => e.outcome === "finalized").length;
      const before = await finalizations();
      expect(before.length).to.be.greaterThan(0).and.lessThan(finalizedTotal);

      // 2. Run again to the end.
      const json = path.join(dir, "resume-report.json");
      const resumed = await runScript(HARDHAT, [...args, "--json", json], { env });
      expect(resumed.code, resumed.stderr.slice(-3000)).to.equal(0);
      const report = readReport(json);
      expect(report.ok).to.equal(true);
      const tx = report.modes[0]!;
      expect(getAddress(tx.ledger)).to.equal(ledger.address);
      expect(tx.finalized).to.equal(finalizedTotal);
      expect(tx.mismatches).to.deep.equal([]);
      // What the killed run attested was found on chain, not sent again.
      expect(tx.attested).to.be.lessThan(tx.attestations);

      // 3. Straight from the chain: no attestation twice, no equivocation, each slot finalized once.
      const events = await ledger.events(0n);
      const pairs = events.flatMap((e) =>
        e.eventName === "ObservationAttested" ? [`${e.args.contentHash}/${e.args.witness}`] : [],
      );
      expect(new Set(pairs).size).to.equal(pairs.length);
      expect(events.filter((e) => e.eventName === "EquivocationRecorded")).to.deep.equal([]);
      const after = finalizedSlots(events);
      expect(new Set(after).size).to.equal(finalizedTotal);
      expect(after.length).to.equal(finalizedTotal);
    });
  });
});
