/**
 * Gas snapshots: exact gas figures committed under `test/gas/<suite>.snap.json` and compared by the
 * tests, so that any change in gas shows up as a failing test and a diff. Run the tests with
 * `UPDATE_GAS_SNAPSHOTS=1` to rewrite the snapshot files after an intended change. Under
 * `hardhat coverage` the comparison is skipped (instrumented bytecode).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";

const SNAPSHOT_DIR = path.join(__dirname, "..", "gas");
const updating = process.env.UPDATE_GAS_SNAPSHOTS === "1";
const pending = new Map<string, Record<string, number>>();

function load(suite: string): Record<string, number> {
  const cached = pending.get(suite);
  if (cached) return cached;
  const file = path.join(SNAPSHOT_DIR, `${suite}.snap.json`);
  const data = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, number>)
    : {};
  pending.set(suite, data);
  return data;
}

function save(suite: string, data: Record<string, number>): void {
  mkdirSync(SNAPSHOT_DIR, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(
    path.join(SNAPSHOT_DIR, `${suite}.snap.json`),
    `${JSON.stringify(sorted, null, 2)}\n`,
  );
}

/** Whether solidity-coverage runs this test: gas figures of its instrumented bytecode compare with nothing. */
export function underCoverage(): boolean {
  return (
    (hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING ===
    true
  );
}

/**
 * Asserts that `gasUsed` equals the committed snapshot entry `suite/name` (or records it when
 * updating). A missing entry fails the test unless snapshots are being updated.
 */
export function expectGasSnapshot(suite: string, name: string, gasUsed: bigint | number): void {
  // Instrumented bytecode under solidity-coverage costs more gas: snapshots are not comparable there.
  if (underCoverage()) return;
  const gas = Number(gasUsed);
  const data = load(suite);
  if (updating) {
    data[name] = gas;
    save(suite, data);
    return;
  }
  expect(data[name], `gas snapshot ${suite}/${name} is missing: run with UPDATE_GAS_SNAPSHOTS=1`).to
    .not.be.undefined;
  expect(gas, `gas of ${suite}/${name} changed (snapshot ${data[name]}, now ${gas})`).to.equal(
    data[name],
  );
}
