/**
 * Accounts named on the command line: a hardhat-deploy named account (`owner`, `witness2`, ...) or
 * an address, and the check that this process holds the key of the account it is to send from.
 */
import { getAddress, isAddress, type Address } from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";

/** Resolves `value` (named account or address) against the network's named accounts. */
export function resolveAccountArgument(
  field: string,
  value: string,
  namedAccounts: Readonly<Record<string, string | undefined>>,
  secretHint?: (name: string) => string | undefined,
): Address {
  if (value.startsWith("0x")) {
    if (!isAddress(value, { strict: false }))
      throw new InvalidFieldError(field, value, "is not an address");
    return getAddress(value);
  }
  if (!Object.prototype.hasOwnProperty.call(namedAccounts, value)) {
    throw new InvalidFieldError(
      field,
      value,
      `is neither an address nor a named account (${Object.keys(namedAccounts).join(", ")})`,
    );
  }
  const address = namedAccounts[value];
  if (address === undefined) {
    const hint = secretHint?.(value);
    throw new InvalidFieldError(
      field,
      value,
      `named account has no address on this network${hint === undefined ? "" : ` (set ${hint})`}`,
    );
  }
  return getAddress(address);
}

/** The sending account's key is not available to this process. */
export class NoSigningKeyError extends EveryChannelError {
  override name = "NoSigningKeyError";
}

/** Refuses to go on when `address` is not among the accounts the network can sign for. */
export function requireSigningKey(
  address: Address,
  available: readonly string[],
  network: string,
  hint?: string,
): void {
  if (!available.some((candidate) => candidate.toLowerCase() === address.toLowerCase())) {
    throw new NoSigningKeyError(
      `${network}: no key for ${address} is configured${hint === undefined ? "" : ` (set ${hint})`}; nothing was sent`,
      { address, network },
    );
  }
}
