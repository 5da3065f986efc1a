#!/usr/bin/env node
// Checks that the invariant suites can fail: for each mutation below, runs the suite that must catch it
// against a copy of the project with that one rule broken, and succeeds only if forge exits non-zero AND
// its JSON report (`forge test --json`) gives that suite's invariant as failed with the expected property.
// The copy reuses this project's forge cache, so only the mutated contract and the files importing it
// compile again. Figures: MUTATION_RUNS × MUTATION_DEPTH (default 32 × 32), seed MUTATION_SEED.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { forgeBinary } from "./forge.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Each mutation breaks one rule of one contract; `expect` is the start of the invariant's revert reason. */
const MUTATIONS = [
  {
    name: "rail without its publisher check",
    file: "contracts/EveryChannelRail.sol",
    from: "if (publisher != account) revert NotPublisher(streamId, account, publisher);",
    to: "if (publisher != account && false) revert NotPublisher(streamId, account, publisher);",
    contract: "RailInvariants",
    test: "invariant_rail()",
    expect: 'InvariantViolated("rail: ',
  },
  {
    name: "ledger finalizing one attestation short of its quorum (attest, attestMany)",
    file: "contracts/EveryChannelObservationLedger.sol",
    from: "if (counted.popCount() >= quorum) {",
    to: "if (counted.popCount() + 1 >= quorum) {",
    contract: "ObservationLedgerInvariants",
    test: "invariant_ledger()",
    expect: 'InvariantViolated("L2: witnesses >= quorum',
  },
];

const runs = process.env.MUTATION_RUNS ?? "32";
const depth = process.env.MUTATION_DEPTH ?? "32";
const seed = process.env.MUTATION_SEED ?? "0x5eed";

function fail(message) {
  process.stderr.write(`mutation-check: ${message}\n`);
  process.exitCode = 1;
}

/** A copy of the project's sources and forge cache (no persisted failures), node_modules linked. */
function copyProject() {
  const work = mkdtempSync(join(tmpdir(), "mutation-check-"));
  for (const entry of [
    "contracts",
    "test",
    "scripts",
    "foundry.toml",
    "out-foundry",
    "cache-foundry",
  ]) {
    try {
      cpSync(join(root, entry), join(work, entry), { recursive: true });
    } catch (error) {
      if (!entry.endsWith("-foundry")) throw error;
    }
  }
  for (const persisted of ["invariant", "fuzz", "test-failures"]) {
    rmSync(join(work, "cache-foundry", persisted), { recursive: true, force: true });
  }
  symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
  return work;
}

/** The failure reason of `test` in `contract` as forge's JSON report gives it (undefined: it passed). */
function reportedFailure(stdout, mutation) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    throw new Error(`forge printed no JSON report (${stdout.slice(0, 200)}...)`);
  }
  const suite = Object.entries(report).find(([id]) => id.endsWith(`:${mutation.contract}`));
  if (suite === undefined) throw new Error(`no result for ${mutation.contract} in forge's report`);
  const result = suite[1].test_results?.[mutation.test];
  if (result === undefined) throw new Error(`no result for ${mutation.contract}.${mutation.test}`);
  return result.status === "Failure" ? { reason: result.reason ?? "", result } : undefined;
}

async function main() {
  const forge = await forgeBinary();
  const work = copyProject();
  try {
    for (const mutation of MUTATIONS) {
      const target = join(work, mutation.file);
      const original = readFileSync(join(root, mutation.file), "utf8");
      const occurrences = original.split(mutation.from).length - 1;
      if (occurrences !== 1) {
        fail(
          `${mutation.file}: the line to mutate occurs ${occurrences} times, not once: ${mutation.from}`,
        );
        return;
      }
      writeFileSync(target, original.replace(mutation.from, mutation.to));
      const started = Date.now();
      const forgeRun = spawnSync(
        forge,
        ["test", "--match-contract", mutation.contract, "--json", "--fuzz-seed", seed],
        {
          cwd: work,
          encoding: "utf8",
          maxBuffer: 1 << 30,
          env: { ...process.env, FOUNDRY_INVARIANT_RUNS: runs, FOUNDRY_INVARIANT_DEPTH: depth },
        },
      );
      writeFileSync(target, original);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (forgeRun.error !== undefined) throw forgeRun.error;
      const failure = reportedFailure(forgeRun.stdout, mutation);
      if (forgeRun.status === 0 || failure === undefined) {
        fail(
          `the ${mutation.contract} suite did not catch a ${mutation.name} (forge exit ${forgeRun.status}, ` +
            `${failure === undefined ? "invariant passed" : "failure reported"}):\n${forgeRun.stderr.slice(-2000)}`,
        );
        continue;
      }
      if (!failure.reason.startsWith(mutation.expect)) {
        fail(
          `the ${mutation.contract} suite failed on a ${mutation.name}, but not with ${mutation.expect}...: ` +
            failure.reason,
        );
        continue;
      }
      const sequence = failure.result.counterexample?.Sequence?.[1];
      const calls = Array.isArray(sequence) ? `, ${sequence.length} calls after shrinking` : "";
      process.stdout.write(
        `mutation-check: ${mutation.contract} caught a ${mutation.name} in ${seconds} s${calls}: ${failure.reason}\n`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
