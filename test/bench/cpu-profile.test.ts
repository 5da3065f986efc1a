// The bench's CPU profile summary: self time by origin and function, within a window, from a
// V8 profile built by hand and from one this process records.
import { Session } from "node:inspector/promises";

import { expect } from "chai";

import {
  cpuProfileSchema,
  originOf,
  summarizeCpuProfile,
  type CpuProfile,
} from "../../scripts/bench/cpu-profile";

const frame = (functionName: string, url: string, lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
});

// Five samples 1 ms apart from t = 1,000,000 µs; a sample counts until the next one.
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame("(root)", "") },
    { id: 2, callFrame: frame("flush", "file:///x/node_modules/ponder/dist/esm/cache.js", 41) },
    { id: 3, callFrame: frame("_query", "file:///x/node_modules/@electric-sql/pglite/dist/a.js") },
    { id: 4, callFrame: frame("(idle)", "") },
    { id: 5, callFrame: frame("finalize", "file:///repo/indexer/src/index.ts", 9) },
  ],
  startTime: 1_000_000,
  endTime: 1_006_000,
  samples: [2, 2, 3, 5, 4, 2],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000],
};

describe("bench CPU profile summary", function () {
  it("sums self time by origin and by function", function () {
    const summary = summarizeCpuProfile(profile);
    expect(summary.sampledMs).to.equal(5);
    expect(summary.origins).to.deep.equal([
      { name: "Ponder", ms: 2, share: 0.4 },
      { name: "PGlite (Postgres in WebAssembly)", ms: 1, share: 0.2 },
      { name: "indexer handlers and API (indexer/src)", ms: 1, share: 0.2 },
      { name: "idle", ms: 1, share: 0.2 },
    ]);
    expect(summary.functions[0]).to.deep.equal({
      name: "flush (ponder/dist/esm/cache.js:42)",
      ms: 2,
      share: 0.4,
    });
    expect(summary.functions.map((f) => f.name)).to.include("finalize (indexer/src/index.ts:10)");
  });

  it("counts only the samples within the window", function () {
    // Samples at 1,002,000 (PGlite) and 1,003,000 (handler).
    const summary = summarizeCpuProfile(profile, { fromUs: 1_002_000, toUs: 1_003_000 });
    expect(summary.sampledMs).to.equal(2);
    expect(summary.origins.map((o) => o.name)).to.deep.equal([
      "PGlite (Postgres in WebAssembly)",
      "indexer handlers and API (indexer/src)",
    ]);
  });

  it("names origins by path", function () {
    expect(originOf("file:///a/node_modules/drizzle-orm/pg-core/x.js", "f")).to.equal(
      "drizzle-orm",
    );
    expect(originOf("file:///a/node_modules/pg/lib/client.js", "f")).to.equal(
      "pg (PostgreSQL client)",
    );
    expect(originOf("file:///a/node_modules/viem/_esm/utils/abi.js", "f")).to.equal(
      "viem and noble (ABI decoding, keccak)",
    );
    expect(originOf("wasm://wasm/postgres.wasm-02840556", "pglz_compress")).to.equal(
      "PGlite (Postgres in WebAssembly)",
    );
    expect(originOf("node:internal/streams/x", "f")).to.equal("Node.js internals");
    expect(originOf("", "(garbage collector)")).to.equal("garbage collector");
    expect(originOf("", "(program)")).to.equal("V8 and native (program)");
  });

  it("reads a profile V8 records, on the clock of process.hrtime", async function () {
    const session = new Session();
    session.connect();
    try {
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 100 });
      const fromUs = Number(process.hrtime.bigint() / 1000n);
      await session.post("Profiler.start");
      const until = Date.now() + 50;
      let x = 0;
      while (Date.now() < until) x += Math.sqrt(x + 1);
      const { profile: recorded } = await session.post("Profiler.stop");
      const toUs = Number(process.hrtime.bigint() / 1000n);
      const parsed = cpuProfileSchema.parse(recorded);
      // The profile's clock is the monotonic one `monotonicUs` reads.
      expect(parsed.startTime).to.be.within(fromUs, toUs);
      const summary = summarizeCpuProfile(parsed, { fromUs, toUs });
      expect(summary.sampledMs).to.be.greaterThan(20);
      expect(x).to.be.greaterThan(0);
    } finally {
      session.disconnect();
    }
  });
});
