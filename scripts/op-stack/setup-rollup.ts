/**
 * Command line of scripts/op-stack/setup-rollup.sh (see lib/opstack/setup-rollup.ts).
 *
 * Usage: setup-rollup.sh --config <chain.json> [--dry-run] [--op-deployer <path>]
 * Exit status: 0 done, 1 a step failed, 2 bad usage or a bad configuration.
 */
import { EveryChannelError } from "../../lib/errors";
import { loadRollupConfig, RollupConfigError } from "../../lib/opstack/rollup-config";
import { setupRollup } from "../../lib/opstack/setup-rollup";

const USAGE = `usage: setup-rollup.sh --config <chain.json> [--dry-run] [--op-deployer <path>]
  --config FILE       the chain's configuration (docs/runbooks/op-stack-bring-up.md, "The chain file")
  --dry-run           print every command and file, run and write nothing
  --op-deployer PATH  op-deployer to run (default: $OP_DEPLOYER, else op-deployer on PATH)`;

function fail(message: string, status: number): never {
  process.stderr.write(`setup-rollup: ${message}\n`);
  process.exit(status);
}

async function main(argv: readonly string[]): Promise<void> {
  let configFile: string | undefined;
  let dryRun = false;
  let opDeployer = process.env.OP_DEPLOYER ?? "op-deployer";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next === "") fail(`${arg} needs a value\n${USAGE}`, 2);
      return next;
    };
    if (arg === "--config") configFile = value();
    else if (arg === "--dry-run") dryRun = true;
    else if (arg === "--op-deployer") opDeployer = value();
    else if (arg === "-h" || arg === "--help") {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else fail(`unknown argument '${arg}'\n${USAGE}`, 2);
  }
  if (configFile === undefined) fail(`--config is required\n${USAGE}`, 2);
  let config;
  try {
    config = loadRollupConfig(configFile);
  } catch (error) {
    if (error instanceof RollupConfigError) fail(error.shortMessage, 2);
    throw error;
  }
  try {
    await setupRollup({
      config,
      opDeployer,
      dryRun,
      log: (line) => process.stdout.write(`${line}\n`),
    });
  } catch (error) {
    if (error instanceof EveryChannelError) fail(error.shortMessage, 1);
    throw error;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error), 1);
});
