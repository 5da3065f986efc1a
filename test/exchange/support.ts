// The exchange's tests: a ledger and registry deployed on the in-process Hardhat network, a real
// relayer, the exchange's server on 127.0.0.1, signatures by the named witnesses, and plain HTTP.
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import hre from "hardhat";
import type { PrivateKeyAccount } from "viem/accounts";
import { getAddress, keccak256, toHex, type Address, type Hex, type PublicClient } from "viem";

import { contentHash, observationSlot } from "../../lib/commitments/observation";
import { DEPLOYMENTS } from "../../lib/deploy/context";
import { Exchange } from "../../lib/exchange/exchange";
import { startExchangeServer, type ExchangeServer } from "../../lib/exchange/server";
import { registryWitnesses } from "../../lib/exchange/verify";
import { readObservationLedgerDomain } from "../../lib/ledger/domain";
import { signObservation, type ObservationLedgerDomain } from "../../lib/ledger/typedData";
import type { LedgerRef, RegistryRef } from "../../lib/operator/contracts";
import { Relayer } from "../../lib/operator/relayer";
import type { OperatorWallet } from "../../lib/operator/send";
import { signatureFileJson, type WitnessSignatureFile } from "../../lib/operator/signature-files";
import type { ObservationContent } from "../../lib/types/abi";

/** A content of stream `stream` at epoch `i` (hashes derived from the two numbers). */
export function syntheticContent(i: number, stream = 0): ObservationContent {
  const h = (label: string): Hex => keccak256(toHex(`${label}/${stream}/${i}`));
  return {
    streamHash: keccak256(toHex(`stream/${stream}`)),
    epochHash: h("epoch"),
    dataRoot: h("data"),
    locatorHash: h("locator"),
    observedUnixMs: 1_734_000_000_000n + BigInt(i) * 6_000n,
  };
}

/** `signer`'s signature file over `content` under `domain`. */
export async function signatureFile(
  signer: OperatorWallet | PrivateKeyAccount,
  domain: ObservationLedgerDomain,
  content: ObservationContent,
): Promise<WitnessSignatureFile> {
  return {
    chainId: domain.chainId,
    ledger: domain.verifyingContract,
    witness: "address" in signer ? signer.address : signer.account.address,
    contentHash: contentHash(content),
    slot: observationSlot(content.streamHash, content.epochHash),
    content,
    signature: await signObservation(signer, domain, content),
  };
}

/** The JSON body a witness posts for `file`. */
export function signatureBody(file: WitnessSignatureFile): Record<string, unknown> {
  return JSON.parse(signatureFileJson(file)) as Record<string, unknown>;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

/** One HTTP request with node:http (from `localAddress` when given, e.g. 127.0.0.2). */
export function httpRequest(
  method: "GET" | "POST",
  url: string,
  body?: string | Buffer,
  options: { localAddress?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        localAddress: options.localAddress,
        agent: false,
        headers:
          body === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = { text };
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface ExchangeFixture {
  dir: string;
  client: PublicClient;
  ledger: LedgerRef;
  registry: RegistryRef;
  domain: ObservationLedgerDomain;
  named: Record<string, Address>;
  relayer: Relayer;
  exchange: Exchange;
  server: ExchangeServer;
  log: string[];
  wallet(name: string): Promise<OperatorWallet>;
  /** Closes the server and the exchange, and opens them again on the same journal. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface ExchangeFixtureOptions {
  ratePerSecond?: number;
  burst?: number;
  maxBodyBytes?: number;
  /** The rate limits' clock (default `Date.now`). */
  clock?: () => number;
}

/** Deploys the registry and ledger, and starts a relayer with its exchange on 127.0.0.1. */
export async function startExchangeFixture(
  options: ExchangeFixtureOptions = {},
): Promise<ExchangeFixture> {
  await hre.deployments.fixture(["WitnessRegistry", "ObservationLedger"]);
  const ledgerAddress = (await hre.deployments.get(DEPLOYMENTS.ObservationLedger))
    .address as Address;
  const registryAddress = (await hre.deployments.get(DEPLOYMENTS.WitnessRegistry))
    .address as Address;
  const ledger: LedgerRef = {
    address: ledgerAddress,
    abi: (await hre.viem.getContractAt("EveryChannelObservationLedger", ledgerAddress)).abi,
  };
  const registry: RegistryRef = {
    address: registryAddress,
    abi: (await hre.viem.getContractAt("EveryChannelWitnessRegistry", registryAddress)).abi,
  };
  const client = (await hre.viem.getPublicClient()) as PublicClient;
  const named = Object.fromEntries(
    Object.entries(await hre.getNamedAccounts()).map(([k, v]) => [k, getAddress(v)]),
  );
  const wallet = async (name: string): Promise<OperatorWallet> =>
    (await hre.viem.getWalletClient(named[name]!)) as OperatorWallet;
  const domain = await readObservationLedgerDomain(client, ledger.address);
  const dir = await mkdtemp(path.join(tmpdir(), "exchange-"));
  const log: string[] = [];
  const relayer = new Relayer({
    publicClient: client,
    wallet: await wallet("relayer"),
    ledger,
    registry,
    domain,
    sources: [],
    maxBatch: 32,
    holdMs: 0,
    dryRun: false,
    log: (line) => log.push(line),
  });
  const open = async (): Promise<[Exchange, ExchangeServer]> => {
    const exchange = await Exchange.open({
      client,
      domain,
      witnesses: registryWitnesses({ client, registry }),
      sink: relayer,
      journalFile: path.join(dir, "exchange-journal.jsonl"),
      log: (line) => log.push(line),
      relayerPending: () => relayer.pendingCount,
    });
    const server = await startExchangeServer({
      exchange,
      port: 0,
      ratePerSecond: options.ratePerSecond ?? 1_000,
      burst: options.burst ?? 1_000,
      maxBodyBytes: options.maxBodyBytes,
      clock: options.clock,
      log: (line) => log.push(line),
    });
    return [exchange, server];
  };
  const [exchange, server] = await open();
  const fixture: ExchangeFixture = {
    dir,
    client,
    ledger,
    registry,
    domain,
    named,
    relayer,
    exchange,
    server,
    log,
    wallet,
    async restart() {
      await fixture.server.close();
      await fixture.exchange.close();
      [fixture.exchange, fixture.server] = await open();
    },
    async stop() {
      await fixture.server.close();
      await fixture.exchange.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}
