import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { expect } from "chai";

/**
 * reality-smoke must prove the code operators run: it drives the operators' witness node and
 * relayer (lib/operator/) and keeps only what is its own (archive set, expectations, checking,
 * report, progress, command). This test fails when lib/smoke/ attests, signs, relays or sends
 * transactions by itself, or serves or speaks the relayer's exchange (lib/exchange/) by itself.
 */
const SMOKE = path.resolve(__dirname, "..", "..", "lib", "smoke");

/** What only the witness node, the attestors and the relayer may do. */
const FORBIDDEN: readonly [RegExp, string][] = [
  [/functionName:\s*["'`](attest|attestMany|finalize)["'`]/, "calls the ledger's attest/finalize"],
  [
    /functionName:\s*["'`](submitSignedAttestations|submitCompactAttestations)["'`]/,
    "submits relayed attestations",
  ],
  [/\bsignObservation\s*\(/, "signs observations"],
  [/\bsignTypedData\s*\(/, "signs typed data"],
  [/\bsign(Message|Transaction)\s*\(/, "signs"],
  [/\b(sendTransaction|sendRawTransaction|writeContract)\s*\(/, "sends transactions"],
  [/\bencodeFunctionData\s*\(/, "encodes contract calls"],
  [/\b(buildRelayBatch|packCompactBatch|toCompactObservation)\b/, "builds relay batches"],
  [/\bsendPlanned\s*\(/, "sends transactions"],
  [/\bderiveObservationRun\b|\bspeculat/i, "derives speculatively"],
  [/\bsignReport\s*\(/, "signs reports"],
  [/functionName:\s*["'`]submitReport["'`]/, "submits reports"],
  [/\bfetch\s*\(/, "speaks HTTP (the exchange's client is lib/exchange/)"],
  [/\b(createServer|serve)\s*\(|from\s*"(node:)?https?"|@hono\//, "serves HTTP"],
];

/** What lib/smoke must take from the operator library. */
const REQUIRED_IMPORTS: readonly [RegExp, string][] = [
  [
    /import\s*\{[^}]*\bWitnessPlanner\b[^}]*\}\s*from\s*"\.\.\/operator\/witness"/,
    "WitnessPlanner",
  ],
  [/import\s*\{[^}]*\bRelayer\b[^}]*\}\s*from\s*"\.\.\/operator\/relayer"/, "Relayer"],
  [
    /import\s*\{[^}]*\btransactionAttestor\b[^}]*\}\s*from\s*"\.\.\/operator\/attestors"/,
    "transactionAttestor",
  ],
  [
    /import\s*\{[^}]*\bsignatureAttestor\b[^}]*\}\s*from\s*"\.\.\/operator\/attestors"/,
    "signatureAttestor",
  ],
  [
    /import\s*\{[^}]*\bWitnessJournal\b[^}]*\}\s*from\s*"\.\.\/operator\/witness-journal"/,
    "WitnessJournal",
  ],
  [
    /import\s*\{[^}]*\bwitnessReportCoSigner\b[^}]*\}\s*from\s*"\.\.\/operator\/report-cosigner"/,
    "witnessReportCoSigner",
  ],
  // Report mode runs over the relayer's exchange, as relayer:run --listen --reports and
  // witness:run --exchange do.
  [/import\s*\{[^}]*\bExchange\b[^}]*\}\s*from\s*"\.\.\/exchange\/exchange"/, "Exchange"],
  [
    /import\s*\{[^}]*\bstartExchangeServer\b[^}]*\}\s*from\s*"\.\.\/exchange\/server"/,
    "startExchangeServer",
  ],
  [
    /import\s*\{[^}]*\bexchangeCollector\b[^}]*\}\s*from\s*"\.\.\/exchange\/collector"/,
    "exchangeCollector",
  ],
  [
    /import\s*\{[^}]*\brunReportCoSigning\b[^}]*\}\s*from\s*"\.\.\/exchange\/witness-client"/,
    "runReportCoSigning",
  ],
  [/import\s*\{[^}]*\bExchangeClient\b[^}]*\}\s*from\s*"\.\.\/exchange\/client"/, "ExchangeClient"],
];

/** The source without comments (so that documentation may name what the code must not do). */
function code(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** Every re-implementation `source` contains, as "file: what". */
function reimplementations(file: string, source: string): string[] {
  const text = code(source);
  return FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(([, what]) => `${file}: ${what}`);
}

function smokeSources(): [string, string][] {
  return readdirSync(SMOKE)
    .filter((name) => name.endsWith(".ts"))
    .sort()
    .map((name) => [`lib/smoke/${name}`, readFileSync(path.join(SMOKE, name), "utf8")]);
}

describe("reality-smoke runs the operators' stack", function () {
  it("lib/smoke/ attests, signs, relays and sends nothing by itself", function () {
    const sources = smokeSources();
    expect(sources.length).to.be.greaterThan(5);
    expect(sources.flatMap(([file, source]) => reimplementations(file, source))).to.deep.equal([]);
  });

  it("lib/smoke/ drives the operators' witness node, attestors, journal and relayer", function () {
    const all = smokeSources()
      .map(([, source]) => source)
      .join("\n");
    const missing = REQUIRED_IMPORTS.filter(([pattern]) => !pattern.test(all)).map(
      ([, name]) => name,
    );
    expect(missing, "imports from lib/operator/").to.deep.equal([]);
    // Constructed and used, not only imported.
    expect(code(all)).to.match(/new WitnessPlanner\(/);
    expect(code(all)).to.match(/new Relayer\(/);
    expect(code(all)).to.match(/\.collectAndSubmit\(\)/);
    expect(code(all)).to.match(/\.step\(\)/);
    expect(code(all)).to.match(/Exchange\.open\(/);
    expect(code(all)).to.match(/startExchangeServer\(/);
    expect(code(all)).to.match(/runReportCoSigning\(/);
    expect(code(all)).to.match(/exchangeCollector\(/);
    expect(code(all)).to.match(/witnessReportCoSigner\(/);
    expect(code(all)).not.to.match(/\binProcessCollector\b/);
  });

  it("catches a smoke that would attest, sign or relay by itself", function () {
    const samples: [string, string][] = [
      [`await client.writeContract({ functionName: "attest", args: [content] });`, "attest"],
      [`encodeFunctionData({ abi, functionName: "submitCompactAttestations", args })`, "compact"],
      [`const signature = await signObservation(wallet, domain, content);`, "sign"],
      [`await account.signTypedData({ domain, types, message });`, "typed data"],
      [`const items = buildRelayBatch({ signatures, heads });`, "batch"],
      [`await wallet.sendTransaction({ to, data });`, "send"],
      [`const signature = await signReport(wallet, domain, report);`, "report signature"],
      [`await fetch(\`\${url}/v1/proposals\`);`, "HTTP client"],
      [`const server = createServer(handler);`, "HTTP server"],
      [`import { serve } from "@hono/node-server";`, "hono"],
    ];
    for (const [sample, label] of samples)
      expect(reimplementations("sample.ts", sample), label).to.not.deep.equal([]);
    // Documentation may name them.
    expect(
      reimplementations("doc.ts", `/** never calls signObservation() or "attest" itself */\n`),
    ).to.deep.equal([]);
  });
});
