/**
 * Checks a network before anything is sent: on a live network every secret the operation needs is
 * set and well formed, the RPC URL answers, and it reports the configured chain id. Each failure is
 * one error naming the secret, URL (credentials hidden) or chain id at fault.
 */
import { EveryChannelError } from "../errors";
import type { SecretName } from "../secrets/names";
import type { SecretReader } from "../secrets/reader";
import { isNetworkName, redactUrl } from "./network-definitions";
import { resolveNetwork } from "./resolve-network";

/** The RPC URL does not answer `eth_chainId`. */
export class UnreachableRpcError extends EveryChannelError {
  override name = "UnreachableRpcError";
}

/** The node behind the RPC URL reports another chain id than the network is configured for. */
export class WrongChainIdError extends EveryChannelError {
  override name = "WrongChainIdError";
  readonly expected: number;
  readonly actual: number;

  constructor(network: string, url: string, expected: number, actual: number, fix: string) {
    super(
      `${network}: ${redactUrl(url)} reports chain id ${actual}, but ${network} is configured for chain id ${expected} (${fix}); nothing was sent`,
      { network, expected, actual },
    );
    this.expected = expected;
    this.actual = actual;
  }
}

export interface PreflightNetworkParameters {
  /** `hre.network.name`. */
  network: string;
  reader: SecretReader;
  /** Secrets the operation needs on a live network (beyond the RPC URL). */
  requires?: readonly SecretName[];
  /** The RPC URL of a network not defined here (`hre.network.config.url`). */
  url?: string;
  /** The chain id a network not defined here is configured for. */
  chainId?: number;
  /** Milliseconds to wait for the RPC (default 10,000). */
  timeoutMs?: number;
}

export interface PreflightNetworkReturnType {
  /** The chain id the node reported (undefined for the in-process chain). */
  chainId: number | undefined;
  /** The RPC URL checked (undefined for the in-process chain). */
  url: string | undefined;
  live: boolean;
}

/** Asks a JSON-RPC URL for its chain id. */
export async function rpcChainId(url: string, timeoutMs = 10_000): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const reason =
      cause instanceof Error
        ? ((cause.cause instanceof Error ? cause.cause.message : undefined) ?? cause.message)
        : String(cause);
    throw new UnreachableRpcError(
      `RPC URL ${redactUrl(url)} is unreachable: ${reason}`,
      { url: redactUrl(url) },
      { cause },
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new UnreachableRpcError(
      `RPC URL ${redactUrl(url)} answered HTTP ${response.status} without JSON-RPC`,
      { url: redactUrl(url), status: response.status },
      { cause },
    );
  }
  const result = (body as { result?: unknown }).result;
  if (typeof result !== "string" || !/^0x[0-9a-fA-F]+$/.test(result)) {
    throw new UnreachableRpcError(
      `RPC URL ${redactUrl(url)} did not answer eth_chainId (HTTP ${response.status})`,
      { url: redactUrl(url), status: response.status },
    );
  }
  return Number.parseInt(result, 16);
}

export async function preflightNetwork(
  parameters: PreflightNetworkParameters,
): Promise<PreflightNetworkReturnType> {
  const { network, reader } = parameters;
  const timeoutMs = parameters.timeoutMs ?? 10_000;
  if (!isNetworkName(network)) {
    if (parameters.url === undefined) return { chainId: undefined, url: undefined, live: false };
    const actual = await rpcChainId(parameters.url, timeoutMs);
    if (parameters.chainId !== undefined && parameters.chainId !== actual) {
      throw new WrongChainIdError(
        network,
        parameters.url,
        parameters.chainId,
        actual,
        "check the network's chainId in hardhat.config.ts",
      );
    }
    return { chainId: actual, url: parameters.url, live: false };
  }
  const resolved = resolveNetwork(network, reader);
  if (resolved.definition.kind === "in-process") {
    return { chainId: resolved.chainId, url: undefined, live: false };
  }
  const live = resolved.definition.kind === "live";
  if (live) {
    const context = `the ${network} network`;
    if (resolved.urlSecret !== undefined) reader.require(resolved.urlSecret, context);
    for (const secret of parameters.requires ?? []) reader.require(secret, context);
    const problem = resolved.problems[0];
    if (problem !== undefined) throw problem;
  }
  const url = resolved.url ?? parameters.url;
  if (url === undefined) return { chainId: undefined, url: undefined, live };
  let actual: number;
  try {
    actual = await rpcChainId(url, timeoutMs);
  } catch (error) {
    if (error instanceof UnreachableRpcError) {
      const from = resolved.urlSecret === undefined ? "" : ` (${resolved.urlSecret})`;
      throw new UnreachableRpcError(
        `${network}: ${error.shortMessage}${from}; nothing was sent`,
        {
          ...error.details,
          network,
          secret: resolved.urlSecret,
        },
        { cause: error },
      );
    }
    throw error;
  }
  if (resolved.chainId !== undefined && resolved.chainId !== actual) {
    const fix =
      resolved.chainIdSecret === undefined
        ? `check ${resolved.urlSecret ?? "the RPC URL"}`
        : `check ${resolved.urlSecret ?? "the RPC URL"} and ${resolved.chainIdSecret}`;
    throw new WrongChainIdError(network, url, resolved.chainId, actual, fix);
  }
  return { chainId: actual, url, live };
}
