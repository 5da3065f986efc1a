// docs/scaling.md's table derives from reports/bench.json: it is current, and its rates follow the
// measured gas (no chain: the figures come from the committed bench report).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";

import { InvalidFieldError } from "../../lib/errors";
import {
  BENCH_JSON,
  CHAIN,
  GAS_TARGET,
  readBenchFigures,
  renderScaling,
  SCALING_DOC,
  updatedScalingDocument,
  type BenchFigures,
} from "../../scripts/bench/scaling";

function bench(headline: { path: string; gas: number }[]): BenchFigures {
  return {
    meta: {
      fees: {
        l1BaseFee: "1000000000",
        l1BlobBaseFee: "62500000",
        l1BaseFeeScalar: "5227",
        l1BlobBaseFeeScalar: "1014213",
      },
    },
    sections: { paths: { measuredAt: "2026-01-01T00:00:00.000Z", commit: "abc1234" } },
    onchain: {
      headline: headline.map((h) => ({
        ...h,
        quorum: 3,
        observations: 1,
        fastLzSize: 300,
        l1FeeWei: "40000000000",
      })),
    },
  };
}

function row(block: string, label: string): string[] {
  const line = block.split("\n").find((l) => l.startsWith(`| ${label} |`));
  expect(line, `row ${label}`).to.not.equal(undefined);
  return line!.split("|").map((cell) => cell.trim());
}

describe("docs/scaling.md", function () {
  it("is the table scripts/bench/scaling.ts derives from reports/bench.json", async function () {
    const document = readFileSync(SCALING_DOC, "utf8");
    expect(await updatedScalingDocument(document, readBenchFigures(BENCH_JSON))).to.equal(
      document,
      "stale: run npm run bench:scaling",
    );
  });

  it("divides the gas target's gas per second by the measured gas per observation", function () {
    expect(GAS_TARGET).to.equal(10_000_000);
    const block = renderScaling(
      bench([
        { path: "ledger: relayed batch of 200", gas: 50_000 },
        { path: "ledger: relayed compact batch of 200", gas: 25_000 },
      ]),
    );
    const perSecond = GAS_TARGET / CHAIN.blockTimeSeconds;
    // label, bench row, gas, obs/s, streams (6 s epochs), L1 fee (gwei), ETH / stream / day
    const signed = row(block, "signed batch of 200");
    expect(signed.slice(3, 8)).to.deep.equal([
      "50,000",
      `${perSecond / 50_000}`,
      "600",
      "40.000",
      "0.000576",
    ]);
    const compact = row(block, "compact batch of 200");
    expect(compact.slice(4, 6)).to.deep.equal(["200", "1,200"]);
  });

  it("shows the report row only when the bench measured it", function () {
    const without = renderScaling(bench([{ path: "ledger: relayed signatures", gas: 100_000 }]));
    expect(row(without, "report (co-signed), 200 per report")[2]).to.equal(
      "not in `reports/bench.json` yet",
    );
    const withReport = renderScaling(
      bench([{ path: "ledger: co-signed report of 200", gas: 20_000 }]),
    );
    expect(row(withReport, "report (co-signed), 200 per report").slice(2, 5)).to.deep.equal([
      "`ledger: co-signed report of 200`",
      "20,000",
      "250",
    ]);
  });

  it("refuses a bench report without gas figures, naming the field", function () {
    const dir = mkdtempSync(path.join(tmpdir(), "scaling-"));
    const file = path.join(dir, "bench.json");
    const broken = JSON.parse(readFileSync(BENCH_JSON, "utf8")) as {
      onchain: { headline: { gas: unknown }[] };
    };
    broken.onchain.headline[0]!.gas = "many";
    writeFileSync(file, JSON.stringify(broken));
    expect(() => readBenchFigures(file))
      .to.throw(InvalidFieldError)
      .with.property("message")
      .that.matches(/bench\.json: onchain\.headline\.0\.gas: Expected number, received string/);
  });
});
