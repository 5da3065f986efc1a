/**
 * Resolves a network definition against the secrets at hand: its RPC URL, chain id, private keys
 * and named-account addresses. Never throws: missing and malformed secrets are reported in the
 * result so that the Hardhat config always loads and only the use of a live network fails.
 */
import type { Address, Hex } from "viem";

import { readAccountSecrets, type AccountSecrets } from "../secrets/accounts";
import { PRIVATE_KEY_SECRETS, type SecretName } from "../secrets/names";
import { InvalidSecretError, type SecretReader } from "../secrets/reader";
import { NETWORKS, type NetworkDefinition, type NetworkName } from "./network-definitions";

export interface ResolvedNetwork {
  name: NetworkName;
  definition: NetworkDefinition;
  /** The RPC URL (undefined for the in-process chain, or a live network without its URL secret). */
  url: string | undefined;
  /** The secret the URL comes from, if any. */
  urlSecret: SecretName | undefined;
  /** The chain id the network must report (undefined where any is accepted: localhost, anvil). */
  chainId: number | undefined;
  chainIdSecret: SecretName | undefined;
  /** Live networks only: the accounts read from secrets. */
  accounts: AccountSecrets | undefined;
  /** Live networks only: the private keys to configure, deduplicated, deployer first. */
  privateKeys: Hex[];
  /** Secrets that are set but unusable. */
  problems: InvalidSecretError[];
}

/** Parses a chain id secret: a positive decimal (or 0x-hex) integer that fits in 53 bits. */
export function parseChainId(secret: SecretName, value: string): number {
  const parsed = /^0x[0-9a-fA-F]+$/.test(value)
    ? Number.parseInt(value, 16)
    : /^[0-9]+$/.test(value)
      ? Number(value)
      : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new InvalidSecretError(secret, `not a chain id: ${JSON.stringify(value)}`);
  }
  return parsed;
}

export function resolveNetwork(name: NetworkName, reader: SecretReader): ResolvedNetwork {
  const definition = NETWORKS[name];
  switch (definition.kind) {
    case "in-process":
      return {
        name,
        definition,
        url: undefined,
        urlSecret: undefined,
        chainId: definition.chainId,
        chainIdSecret: undefined,
        accounts: undefined,
        privateKeys: [],
        problems: [],
      };
    case "local":
      return {
        name,
        definition,
        url:
          (definition.urlSecret === undefined
            ? undefined
            : reader.optional(definition.urlSecret)) ?? definition.defaultUrl,
        urlSecret: definition.urlSecret,
        chainId: undefined,
        chainIdSecret: undefined,
        accounts: undefined,
        privateKeys: [],
        problems: [],
      };
    case "live": {
      const problems: InvalidSecretError[] = [];
      let chainId = definition.chainId;
      if (definition.chainIdSecret !== undefined) {
        const value = reader.optional(definition.chainIdSecret);
        if (value !== undefined) {
          try {
            chainId = parseChainId(definition.chainIdSecret, value);
          } catch (error) {
            if (error instanceof InvalidSecretError) problems.push(error);
            else throw error;
          }
        }
      }
      const url = reader.optional(definition.urlSecret);
      if (url !== undefined && !/^(https?|wss?):\/\/[^\s]+$/.test(url)) {
        problems.push(
          new InvalidSecretError(
            definition.urlSecret,
            "not an http(s) or ws(s) URL (value not shown)",
          ),
        );
      }
      const accounts = readAccountSecrets(reader);
      problems.push(...accounts.problems);
      const privateKeys: Hex[] = [];
      for (const secret of PRIVATE_KEY_SECRETS) {
        const key = accounts.keys[secret];
        if (key !== undefined && !privateKeys.includes(key)) privateKeys.push(key);
      }
      return {
        name,
        definition,
        url,
        urlSecret: definition.urlSecret,
        chainId,
        chainIdSecret: definition.chainIdSecret,
        accounts,
        privateKeys,
        problems,
      };
    }
  }
}

/** Named accounts of the project: roles resolved per network. */
export const ROLE_NAMES = ["deployer", "owner", "relayer", "publisher", "witness"] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
/** Named initial witnesses `witness1` … `witness8`. */
export const WITNESS_SLOTS = 8;

/** The live address of each named account (undefined where its secret is not set). */
export function liveNamedAddresses(accounts: AccountSecrets): Record<string, Address | undefined> {
  const named: Record<string, Address | undefined> = {
    deployer: accounts.keyAddresses.DEPLOYER_PRIVATE_KEY,
    owner: accounts.owner,
    relayer: accounts.keyAddresses.RELAYER_PRIVATE_KEY,
    publisher: accounts.keyAddresses.PUBLISHER_PRIVATE_KEY,
    witness: accounts.keyAddresses.WITNESS_PRIVATE_KEY,
  };
  for (let slot = 1; slot <= WITNESS_SLOTS; slot += 1) {
    named[`witness${slot}`] = accounts.witnesses[slot - 1];
  }
  return named;
}
