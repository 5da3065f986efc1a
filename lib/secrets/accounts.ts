/**
 * The accounts of a live network, read from secrets: private keys (the ones present and well
 * formed) and the addresses of the named roles. Malformed values are collected as problems rather
 * than thrown, so that loading the Hardhat config never fails; `preflightNetwork` reports them when
 * a live network is actually used.
 */
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { PRIVATE_KEY_SECRETS, type PrivateKeySecret } from "./names";
import { InvalidSecretError, type SecretReader } from "./reader";

export interface AccountSecrets {
  /** Well-formed private keys by secret name. */
  keys: Partial<Record<PrivateKeySecret, Hex>>;
  /** Address of each well-formed private key. */
  keyAddresses: Partial<Record<PrivateKeySecret, Address>>;
  /** `OWNER_ADDRESS`, else the address of `OWNER_PRIVATE_KEY`. */
  owner: Address | undefined;
  /** `WITNESS_ADDRESSES`, in order (witness1, witness2, ...). */
  witnesses: Address[];
  /** Secrets that are set but unusable. */
  problems: InvalidSecretError[];
}

/** Parses a private key secret: 32 bytes of hex, with or without `0x`, a valid secp256k1 scalar. */
export function parsePrivateKey(secret: PrivateKeySecret, value: string): Hex {
  const hex = value.startsWith("0x") || value.startsWith("0X") ? value.slice(2) : value;
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new InvalidSecretError(
      secret,
      `not a private key: expected 64 hex digits (with or without 0x), got ${hex.length} characters (value not shown)`,
    );
  }
  const key = `0x${hex.toLowerCase()}` as Hex;
  try {
    privateKeyToAccount(key);
  } catch {
    throw new InvalidSecretError(
      secret,
      "not a valid secp256k1 private key (zero or out of range; value not shown)",
    );
  }
  return key;
}

/** Parses an address secret. */
export function parseAddressSecret(
  secret: "OWNER_ADDRESS" | "WITNESS_ADDRESSES",
  value: string,
): Address {
  if (!isAddress(value, { strict: false })) {
    throw new InvalidSecretError(secret, `not an address: ${JSON.stringify(value)}`);
  }
  return getAddress(value);
}

/** Reads every account secret; never throws. */
export function readAccountSecrets(reader: SecretReader): AccountSecrets {
  const result: AccountSecrets = {
    keys: {},
    keyAddresses: {},
    owner: undefined,
    witnesses: [],
    problems: [],
  };
  for (const secret of PRIVATE_KEY_SECRETS) {
    const value = reader.optional(secret);
    if (value === undefined) continue;
    try {
      const key = parsePrivateKey(secret, value);
      result.keys[secret] = key;
      result.keyAddresses[secret] = privateKeyToAccount(key).address;
    } catch (error) {
      if (error instanceof InvalidSecretError) result.problems.push(error);
      else throw error;
    }
  }
  const owner = reader.optional("OWNER_ADDRESS");
  if (owner !== undefined) {
    try {
      result.owner = parseAddressSecret("OWNER_ADDRESS", owner);
    } catch (error) {
      if (error instanceof InvalidSecretError) result.problems.push(error);
      else throw error;
    }
  } else {
    result.owner = result.keyAddresses.OWNER_PRIVATE_KEY;
  }
  const witnesses = reader.optional("WITNESS_ADDRESSES");
  if (witnesses !== undefined) {
    const entries = witnesses.split(",").map((entry) => entry.trim());
    entries.forEach((entry, index) => {
      try {
        result.witnesses.push(parseAddressSecret("WITNESS_ADDRESSES", entry));
      } catch {
        result.problems.push(
          new InvalidSecretError(
            "WITNESS_ADDRESSES",
            `entry ${index + 1} is not an address: ${JSON.stringify(entry)}`,
          ),
        );
      }
    });
  }
  return result;
}
