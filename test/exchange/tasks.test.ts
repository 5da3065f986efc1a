// The glue of relayer:run --listen and witness:run --exchange: bad options refused in one line
// naming the option, and a witness node posting to a relayer's exchange.
import { expect } from "chai";
import { createServer } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { ExchangeClient } from "../../lib/exchange/client";
import { runReportCoSigning } from "../../lib/exchange/witness-client";
import { witnessReportCoSigner } from "../../lib/operator/report-cosigner";
import { WitnessJournal } from "../../lib/operator/witness-journal";
import { archiveSlice } from "../operator/archive-slices";
import { expectNothingSent, refusal, runTask } from "../tasks/support";
import { startExchangeFixture, type ExchangeFixture } from "./support";

describe("exchange tasks", function () {
  let dir: string;
  let archive: string;
  let f: ExchangeFixture;

  beforeEach(async function () {
    dir = await mkdtemp(path.join(tmpdir(), "exchange-tasks-"));
    archive = path.join(dir, "a.jsonl");
    await writeFile(archive, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
    f = await startExchangeFixture();
  });

  afterEach(async function () {
    await f.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const relayer = () => ({
    from: "relayer",
    maxBatch: "32",
    hold: "0",
    poll: "20",
    rateLimit: "50",
    once: true,
    state: path.join(dir, "relayer-state"),
  });
  const witness = () => ({
    archive,
    from: "witness1",
    window: "4",
    poll: "20",
    once: true,
    hold: "0",
  });

  it("refuse a bad --listen, --rate-limit, --reports, --report-timeout or --exchange in one line naming the option, sending nothing", async function () {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expectNothingSent(async () => {
        const cases: [string, Record<string, unknown>, string][] = [
          [
            "relayer:run",
            { ...relayer(), listen: "nowhere" },
            'listen: must be host:port (e.g. 127.0.0.1:8645, [::1]:8645) or a port (got "nowhere")',
          ],
          [
            "relayer:run",
            { ...relayer(), listen: "127.0.0.1:70000" },
            'listen: the port must be from 0 to 65535 (got "127.0.0.1:70000")',
          ],
          [
            "relayer:run",
            { ...relayer(), listen: "::1:8645" },
            'listen: must be host:port (e.g. 127.0.0.1:8645, [::1]:8645) or a port; write an IPv6 host in brackets (got "::1:8645")',
          ],
          [
            "relayer:run",
            { ...relayer(), listen: "127.0.0.1:0", rateLimit: "0" },
            'rate-limit: must be from 1 to 1000000 (got "0")',
          ],
          [
            "relayer:run",
            relayer(),
            "signatures: give the folders to collect from, or --listen for the exchange (or both) (got undefined)",
          ],
          [
            "relayer:run",
            { ...relayer(), signatures: dir, reports: true },
            "reports: witnesses co-sign reports over the exchange: give --listen host:port too (got true)",
          ],
          [
            "relayer:run",
            { ...relayer(), listen: "127.0.0.1:0", reports: true, reportTimeout: "50" },
            'report-timeout: must be from 100 to 3600000 (got "50")',
          ],
          [
            "relayer:run",
            { ...relayer(), listen: `127.0.0.1:${port}` },
            `listen: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
          ],
          [
            "witness:run",
            { ...witness(), exchange: "ftp://relayer.example" },
            'exchange: must be an http:// or https:// URL (got "ftp://relayer.example")',
          ],
          [
            "witness:run",
            { ...witness(), exchange: "relayer:8645" },
            'exchange: must be an http:// or https:// URL (got "relayer:8645")',
          ],
          [
            "witness:run",
            { ...witness(), exchange: f.server.url, signTo: dir },
            "--exchange posts signatures to a relayer: use it without --sign-to",
          ],
        ];
        for (const [name, args, message] of cases)
          expect(await refusal(name, args), name).to.equal(message);
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("witness:run --exchange posts each attestation to the relayer's exchange instead of a folder", async function () {
    const lines = await runTask("witness:run", { ...witness(), exchange: f.server.url });
    expect(
      lines.filter((l) =>
        /^signed 0x[0-9a-f]{64} to http:\/\/127\.0\.0\.1:\d+ \(accepted\)$/.test(l),
      ),
    ).to.have.length(3);
    expect(lines.at(-1)).to.match(
      /^witness: stopped; .*"reports":\{"signed":0,"refused":0,"foreign":0\}/,
    );
    expect(f.relayer.pendingCount).to.equal(3);
    const status = await new ExchangeClient({ url: f.server.url }).status();
    expect(status).to.include({ accepted: 3, refused: 0 });
  });

  it("relayer:run --listen --reports proposes the run its signatures show a quorum for; the witnesses' co-signers answer over HTTP and the report lands", async function () {
    // Three witnesses sign the same three epochs (the same archive lines) into a folder, each
    // journaling them.
    const outbox = path.join(dir, "outbox");
    const names = ["witness1", "witness2", "witness3"];
    for (const [i, name] of names.entries()) {
      const file = path.join(dir, `${name}.jsonl`);
      await writeFile(file, `${archiveSlice("witness-a", "KGO-HD", 3).join("\n")}\n`);
      await runTask("witness:run", {
        ...witness(),
        archive: file,
        from: name,
        signTo: outbox,
        state: path.join(dir, `state-${name}`),
      });
    }
    // Their report co-signers (as witness:run --exchange runs them) poll the relayer's exchange on
    // a port chosen here; until it listens they retry.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const coSigners = await Promise.all(
      names.map(async (name) => {
        const wallet = await f.wallet(name);
        return witnessReportCoSigner({
          witness: wallet.account.address,
          signer: wallet,
          domain: f.domain,
          journal: await WitnessJournal.open(path.join(dir, `state-${name}`, "journal.jsonl")),
        });
      }),
    );
    const stop = new AbortController();
    const loops = coSigners.map((coSigner) =>
      runReportCoSigning({
        client: new ExchangeClient({ url: `http://127.0.0.1:${port}` }),
        coSigner,
        domain: f.domain,
        log: () => undefined,
        signal: stop.signal,
        waitMs: 2_000,
      }),
    );
    try {
      const lines = await runTask("relayer:run", {
        ...relayer(),
        signatures: outbox,
        listen: `127.0.0.1:${port}`,
        reports: true,
        reportTimeout: "20000",
      });
      expect(lines[0]).to.match(/; report mode, 20000 ms per proposal$/);
      expect(lines).to.include("relayer: report finalized 3 observations");
      expect(lines.at(-1)).to.match(/"reports":1,"reportEntries":3,"reportsShort":0/);
    } finally {
      stop.abort();
      await Promise.allSettled(loops);
    }
    // Every witness answered the one proposal (with quorum reached, a late answer may be turned away).
    const answered = (await Promise.all(loops)).map((c) => c.signed + c.refused);
    expect(answered.reduce((a, b) => a + b, 0)).to.be.at.least(2);
  });

  it("relayer:run --listen serves the exchange, then stops with the round", async function () {
    const lines = await runTask("relayer:run", { ...relayer(), listen: "127.0.0.1:0" });
    expect(lines[0]).to.match(
      /^relayer: exchange listening on http:\/\/127\.0\.0\.1:\d+ \(journal .*relayer-state[/\\]exchange-journal\.jsonl\)$/,
    );
    expect(lines.at(-1)).to.match(/^relayer: stopped; /);
  });
});
