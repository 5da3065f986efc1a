/**
 * The EIP-712 domain of an `EveryChannelRail` deployment: name "EveryChannelRail", version "1", the
 * chain id and the contract address. Read it from the contract (ERC-5267 `eip712Domain()`) rather
 * than assuming it.
 */
import type { Address, Client, Transport } from "viem";
import { getAddress } from "viem";
import { getEip712Domain } from "viem/actions";

import { RAIL_DOMAIN_NAME, RAIL_DOMAIN_VERSION } from "../eip712/manifest";
import { InvalidFieldError } from "../errors";

export { RAIL_DOMAIN_NAME, RAIL_DOMAIN_VERSION };
/** ERC-5267 `fields` of the rail: name, version, chainId, verifyingContract; no salt. */
export const RAIL_DOMAIN_FIELDS = "0x0f";

export type RailDomain = {
  name: typeof RAIL_DOMAIN_NAME;
  version: typeof RAIL_DOMAIN_VERSION;
  chainId: number;
  verifyingContract: Address;
};

/** The rail's domain on `chainId` at `verifyingContract`, without reading the chain. */
export function railDomain(chainId: number, verifyingContract: Address): RailDomain {
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new InvalidFieldError("chainId", chainId, "must be a positive integer");
  return {
    name: RAIL_DOMAIN_NAME,
    version: RAIL_DOMAIN_VERSION,
    chainId,
    verifyingContract: getAddress(verifyingContract),
  };
}

export type ReadRailDomainParameters = { address: Address };
export type ReadRailDomainReturnType = RailDomain;

/**
 * Reads the domain from the contract at `address` through ERC-5267 `eip712Domain()` and checks that it
 * is a rail domain (name, version, the four fields and no extensions).
 */
export async function readRailDomain(
  client: Client<Transport>,
  { address }: ReadRailDomainParameters,
): Promise<ReadRailDomainReturnType> {
  const { domain, fields, extensions } = await getEip712Domain(client, { address });
  if (fields !== RAIL_DOMAIN_FIELDS)
    throw new InvalidFieldError("eip712Domain.fields", fields, `must be ${RAIL_DOMAIN_FIELDS}`);
  if (extensions.length !== 0)
    throw new InvalidFieldError("eip712Domain.extensions", extensions, "must be empty");
  if (domain.name !== RAIL_DOMAIN_NAME)
    throw new InvalidFieldError("eip712Domain.name", domain.name, `must be ${RAIL_DOMAIN_NAME}`);
  if (domain.version !== RAIL_DOMAIN_VERSION)
    throw new InvalidFieldError(
      "eip712Domain.version",
      domain.version,
      `must be ${RAIL_DOMAIN_VERSION}`,
    );
  if (getAddress(domain.verifyingContract) !== getAddress(address))
    throw new InvalidFieldError(
      "eip712Domain.verifyingContract",
      domain.verifyingContract,
      `must be the contract read (${address})`,
    );
  return railDomain(Number(domain.chainId), domain.verifyingContract);
}
