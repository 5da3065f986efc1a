// During a coverage run, contracts a test deploys on anvil come from the plain build.
import { expect } from "chai";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";

import { PLAIN_BUILD_DIR_VARIABLE } from "../../lib/config/coverage";
import { realNodeArtifacts } from "../../lib/config/coverage-artifacts";

describe("artifacts for a real node", function () {
  it("are hre.artifacts outside a coverage run", function () {
    expect(realNodeArtifacts(hre, {})).to.equal(hre.artifacts);
    expect(realNodeArtifacts(hre, { [PLAIN_BUILD_DIR_VARIABLE]: "" })).to.equal(hre.artifacts);
  });

  it("are the plain build's during a coverage run", async function () {
    const dir = await mkdtemp(path.join(tmpdir(), "ecp-plain-build-"));
    try {
      await cp(hre.config.paths.artifacts, path.join(dir, "artifacts"), { recursive: true });
      const file = path.join(
        dir,
        "artifacts",
        "contracts",
        "EveryChannelRail.sol",
        "EveryChannelRail.json",
      );
      const artifact = JSON.parse(await readFile(file, "utf8")) as { bytecode: string };
      await writeFile(file, JSON.stringify({ ...artifact, bytecode: "0x6000" }));
      const read = await realNodeArtifacts(hre, { [PLAIN_BUILD_DIR_VARIABLE]: dir }).readArtifact(
        "EveryChannelRail",
      );
      expect(read.bytecode).to.equal("0x6000");
      expect((await hre.artifacts.readArtifact("EveryChannelRail")).bytecode).to.not.equal(
        "0x6000",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
