/**
 * Checks for the external tools some OP Stack tests need (Debian packages installed by `.ci/run`).
 * A test that needs a missing tool is skipped with a message that names the tool, the check it
 * would have made and how to install it, so a run without them says what it did not check.
 */
import { spawnSync } from "node:child_process";

const DEBIAN_PACKAGE: Record<string, string> = {
  shellcheck: "shellcheck",
  "nix-instantiate": "nix-bin",
  curl: "curl",
  tar: "tar",
};

/** Whether `tool` runs here. */
export function hasTool(tool: string): boolean {
  const result = spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
  return result.status === 0;
}

/** Skips the current test (or hook's suite) unless every tool is installed, saying which check is skipped and why. */
export function requireTools(
  context: Mocha.Context,
  tools: readonly string[],
  check: string,
): void {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) return;
  const packages = missing.map((tool) => DEBIAN_PACKAGE[tool] ?? tool).join(" ");
  const message =
    `skipped: ${check}: ${missing.join(", ")} not installed ` +
    `(apt-get install -y ${packages}; .ci/run installs it)`;
  process.stdout.write(`      ${message}\n`);
  context.skip();
}
