import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

import { REPOSITORY_ROOT } from "../../lib/opstack/rollup-config";
import { requireTools } from "./support/tools";

const SCRIPTS = ["scripts/op-stack/download-op-deployer.sh", "scripts/op-stack/setup-rollup.sh"];

describe("OP Stack shell scripts", function () {
  for (const script of SCRIPTS) {
    it(`${script} stops on any error (set -euo pipefail)`, function () {
      const text = readFileSync(path.join(REPOSITORY_ROOT, script), "utf8");
      expect(text.startsWith("#!/usr/bin/env bash\n")).to.equal(true);
      expect(text).to.match(/^set -euo pipefail$/m);
    });

    it(`${script} is shellcheck clean`, function () {
      requireTools(this, ["shellcheck"], `shellcheck of ${script}`);
      const result = spawnSync("shellcheck", ["--shell=bash", "--severity=style", script], {
        cwd: REPOSITORY_ROOT,
        encoding: "utf8",
      });
      expect(result.stdout + result.stderr).to.equal("");
      expect(result.status).to.equal(0);
    });
  }
});
