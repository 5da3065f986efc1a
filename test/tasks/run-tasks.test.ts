// The glue of the tasks that bring their own chain or contracts (reality-smoke deploys a fresh
// ledger, leader:devnet starts anvil): bad input refused in one line naming the option and the
// value before anything starts or is sent. They take no deployment record or address, and have no
// dry run.
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { expectNothingSent, refusal } from "./support";

describe("reality-smoke and leader:devnet tasks", function () {
  let dir: string;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "run-tasks-"));
  });

  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("reality-smoke refuses bad input in one line naming the option and the value, sending nothing", async function () {
    const missing = path.join(dir, "none");
    await expectNothingSent(async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ mode: "both-ways" }, /^--mode: .* \(got "both-ways"\)$/],
        [{ quorum: 0 }, /^--quorum: must be at least 1 \(got 0\)$/],
        [{ archive: "" }, /^--archive: must name a directory \(got ""\)$/],
        [{ json: "" }, /^--json: must name a file \(got ""\)$/],
        [{ archive: missing }, new RegExp(`${missing.replace(/[\\/.]/g, "\\$&")}`)],
      ];
      for (const [args, message] of cases)
        expect(await refusal("reality-smoke", args), JSON.stringify(args)).to.match(message);
    });
  });

  it("leader:devnet refuses bad input in one line naming the option and the value, before starting anything", async function () {
    const cases: [Record<string, unknown>, string][] = [
      [{ blockTime: 5 }, "--block-time: must be at least 20 (got 5)"],
      [{ seed: "" }, '--seed: must not be empty (got "")'],
      [{ blocks: 20, killAt: 20 }, "--kill-at: must be below --blocks (20) (got 20)"],
    ];
    for (const [args, message] of cases)
      expect(await refusal("leader:devnet", args), JSON.stringify(args)).to.equal(message);
  });
});
