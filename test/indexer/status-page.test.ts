// The indexer's status page in headless Chromium, against a real indexer over anvil: the heads it
// shows equal the ledger's `finalizedHead`, witness participation and open and contested slots are
// shown, and the page follows a new finalization without a reload.
import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import { chromium, type Browser, type Page } from "playwright-core";
import type { PrivateKeyAccount } from "viem/accounts";

import { headerContent } from "../../lib/commitments/observation";
import {
  buildIndexerConfig,
  startIndexer,
  waitUntilReady,
  type RunningIndexer,
} from "../../lib/indexer/run";
import { freePort } from "../../lib/node/anvil";
import { DEFAULT_FEE_PARAMETERS } from "../../lib/opstack/fee-model";
import { fund, send } from "../../scripts/bench/chain";
import { nextHeader } from "../../scripts/bench/headers";
import {
  INDEXER_BENCH_CHAIN_ID,
  finalizeEpochs,
  indexerBenchChain,
  ledgerHead,
  streamCursor,
  type IndexerBenchChain,
} from "../../scripts/bench/indexer-chain";

/** Debian's `chromium` package; `ECP_CHROMIUM` names another build. */
const CHROMIUM = process.env.ECP_CHROMIUM ?? "/usr/bin/chromium";

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What one stream row of the page shows (undefined before the row exists). */
async function streamRow(page: Page, streamHash: string) {
  const row = page.locator(`#streams tr[data-stream="${streamHash}"]`);
  if ((await row.count()) === 0) return undefined;
  const field = (name: string) => row.locator(`[data-field="${name}"]`);
  return {
    headSequence: await field("headSequence").textContent(),
    headObservation: await field("headObservation").getAttribute("data-value"),
    headAge: await field("headAge").textContent(),
    finalizationRate: await field("finalizationRate").textContent(),
    open: await field("open").textContent(),
    contested: await field("contested").textContent(),
  };
}

describe("indexer status page (headless Chromium)", function () {
  this.timeout(90_000);
  let chain: IndexerBenchChain | undefined;
  let indexer: RunningIndexer | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;
  let witnesses: [PrivateKeyAccount, PrivateKeyAccount, PrivateKeyAccount];
  const a = streamCursor("status page A");
  const b = streamCursor("status page B");

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(
        `    skipped: no Chromium at ${CHROMIUM}; install the Debian package chromium (or set ECP_CHROMIUM)`,
      );
      this.skip();
    }
    chain = await indexerBenchChain(hre, { witnesses: 3, quorum: 2 });
    witnesses = chain.witnesses as typeof witnesses;
    const [w0, w1, w2] = witnesses;
    await fund(
      chain.bench,
      witnesses.map((w) => w.address),
    );
    // Stream A: 5 epochs signed by witnesses 0 and 1; stream B: 3 epochs by witnesses 1 and 2.
    await finalizeEpochs(chain, a, 5, [w0, w1]);
    await finalizeEpochs(chain, b, 3, [w1, w2]);
    // Stream A's next slot is open and contested: two contents, one attestation each.
    const next = nextHeader({ ...a }).header;
    for (const [witness, dataRoot] of [
      [w0, next.dataRoot],
      [w2, `0x${"ab".repeat(32)}`],
    ] as const)
      await send({
        chain: chain.bench,
        from: witness,
        to: chain.ledger.ledger,
        abi: chain.ledger.artifacts.ledger.abi,
        functionName: "attest",
        args: [headerContent({ ...next, dataRoot })],
        fees: DEFAULT_FEE_PARAMETERS,
        measure: false,
      });
    dataDir = await mkdtemp(path.join(tmpdir(), "ecp-status-page-"));
    indexer = await startIndexer({
      config: buildIndexerConfig({
        network: "anvil",
        chainId: INDEXER_BENCH_CHAIN_ID,
        rpcUrl: chain.node.url,
        deployments: chain.deployments,
        dataDir,
        pollingIntervalMs: 100,
      }),
      dataDir,
      listen: { host: "127.0.0.1", port: await freePort() },
      schema: "every_channel",
      output: "pipe",
      logLevel: "warn",
    });
    await waitUntilReady(indexer, 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
  });

  after(async function () {
    await browser?.close();
    await indexer?.stop();
    await chain?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it("shows each stream's head equal to the ledger's finalizedHead, and follows a new finalization", async function () {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 720 } });
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    const response = await page.goto(`${indexer!.url}/?refresh=300`);
    expect(response?.status()).to.equal(200);

    for (const cursor of [a, b]) {
      const head = await ledgerHead(chain!, cursor.streamHash);
      // The page refreshes every 300 ms; one refresh under load once showed the new head before
      // the stream's closed slots (rate "–"), so the row is awaited whole.
      const row = await until(
        `stream ${cursor.streamHash} at sequence ${head.sequence}, every closed slot finalized`,
        20_000,
        async () => {
          const shown = await streamRow(page, cursor.streamHash);
          return shown?.headSequence === head.sequence.toString() &&
            shown.finalizationRate === "100.0 %"
            ? shown
            : undefined;
        },
      );
      expect(row.headObservation).to.equal(head.observationHash);
      expect(row.headAge).to.match(/^\d+(\.\d)? (s|min|h)$/);
    }
    // The contested slot's second attestation is in the chain's last block.
    await until("stream A's open, contested slot", 15_000, async () => {
      const shown = await streamRow(page, a.streamHash);
      return shown?.open === "1" && shown.contested === "1" ? shown : undefined;
    });
    expect(await streamRow(page, b.streamHash)).to.include({ open: "0", contested: "0" });

    // Participation: 8 finalizations; witness 0 counted in 5, witness 1 in 8, witness 2 in 3.
    const participation: [string | null, string | null][] = [];
    for (const row of await page.locator("#witnesses tbody tr").all())
      participation.push([
        await row.locator('[data-field="address"]').getAttribute("data-value"),
        await row.locator('[data-field="participation"]').textContent(),
      ]);
    expect(Object.fromEntries(participation)).to.deep.equal({
      [witnesses[0].address]: "62.5 %",
      [witnesses[1].address]: "100.0 %",
      [witnesses[2].address]: "37.5 %",
    });

    // Two more epochs of stream B finalize: the open page shows the new head without a reload.
    await finalizeEpochs(chain!, b, 2, [witnesses[1], witnesses[2]]);
    const head = await ledgerHead(chain!, b.streamHash);
    expect(head.sequence).to.equal(4n);
    const updated = await until("the page to show stream B's new head", 15_000, async () => {
      const shown = await streamRow(page, b.streamHash);
      return shown?.headSequence === "4" ? shown : undefined;
    });
    expect(updated.headObservation).to.equal(head.observationHash);

    // Nothing but the indexer itself was asked for.
    const origin = new URL(indexer!.url).origin;
    expect(requests.filter((url) => new URL(url).origin !== origin)).to.deep.equal([]);
    const shots =
      process.env.ECP_SCREENSHOT_DIR ?? (await mkdtemp(path.join(tmpdir(), "ecp-status-shot-")));
    const file = path.join(shots, "indexer-status-page.png");
    await page.screenshot({ path: file, fullPage: true });
    console.log(`    screenshot: ${file}`);
  });

  it("serves its script and style from the indexer beside the /v1 API", async function () {
    for (const [route, type] of [
      ["/", "text/html"],
      ["/page/status.js", "text/javascript"],
      ["/page/status.css", "text/css"],
    ] as const) {
      const response = await fetch(`${indexer!.url}${route}`);
      expect(response.status, route).to.equal(200);
      expect(response.headers.get("content-type"), route).to.contain(type);
    }
    const status = await fetch(`${indexer!.url}/v1/status`);
    expect(status.status).to.equal(200);
    const body = (await status.json()) as { data: { streams: number } };
    expect(body.data.streams).to.equal(2);
  });
});
