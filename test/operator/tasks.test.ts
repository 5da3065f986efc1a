// What the witness and ledger tasks do once their input is good: who may attest, and what
// ledger:status reports after two witnesses ran (the glue's refusals: test/tasks/).
import { expect } from "chai";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";

import { refusal, runTask } from "../tasks/support";
import { archiveSlice } from "./archive-slices";

describe("witness and ledger tasks", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "tasks-"));
    await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  const witnessArgs = (archive: string, from: string, extra: Record<string, unknown> = {}) => ({
    archive,
    from,
    window: "4",
    poll: "20",
    once: true,
    dryRun: false,
    ...extra,
  });

  it("witness:run refuses an account that is not an active witness, and --dry-run with --sign-to", async function () {
    const archive = path.join(dir, "a.jsonl");
    await writeFile(archive, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
    expect(await refusal("witness:run", witnessArgs(archive, "publisher"))).to.match(
      /^0x[0-9a-fA-F]{40} is not an active witness of registry 0x[0-9a-fA-F]{40} \(the owner adds it with witness:add\); nothing was sent$/,
    );
    expect(
      await refusal("witness:run", witnessArgs(archive, "witness1", { dryRun: true, signTo: dir })),
    ).to.match(/^--dry-run sends nothing, but --sign-to writes signatures/);
  });

  it("ledger:status shows heads and open slots after two witnesses ran, as text and as JSON", async function () {
    const a = path.join(dir, "a.jsonl");
    const b = path.join(dir, "b.jsonl");
    await writeFile(a, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
    await writeFile(b, `${archiveSlice("witness-b", "KGO-HD", 2).join("\n")}\n`);
    await runTask("witness:run", witnessArgs(a, "witness1"));
    await runTask("witness:run", witnessArgs(b, "witness2"));
    const lines = await runTask("ledger:status", { json: false });
    expect(lines[1]).to.match(
      /^ {2}stream 0x[0-9a-f]{64}: head 0x[0-9a-f]{64} \(sequence 1, observed \d+\); 2 finalized; 1 open slots \(0 contested, 0 unreachable, 0 expired\)$/,
    );
    expect(lines[2]).to.match(/^ {4}slot 0x[0-9a-f]{64} \(observed \d+\): open$/);
    expect(lines[3]).to.match(/^ {6}content 0x[0-9a-f]{64}: 1 attestations, open$/);
    expect(lines.at(-1)).to.equal("  equivocations: 0");
    const json = JSON.parse((await runTask("ledger:status", { json: true })).join("\n")) as {
      streams: { finalized: number; head: { sequence: string }; open: unknown[] }[];
    };
    expect(json.streams).to.have.length(1);
    expect(json.streams[0]).to.include({ finalized: 2 });
    expect(json.streams[0]!.head.sequence).to.equal("1");
    expect(json.streams[0]!.open).to.have.length(1);
  });
});
