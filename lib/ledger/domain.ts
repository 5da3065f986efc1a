/** Reads the ledger's EIP-712 domain from the contract (ERC-5267) instead of hard-coding it. */
import { getAddress, type Address, type Client } from "viem";
import { getEip712Domain } from "viem/actions";

import { InvalidFieldError } from "../errors";
import {
  OBSERVATION_LEDGER_DOMAIN_NAME,
  OBSERVATION_LEDGER_DOMAIN_VERSION,
  type ObservationLedgerDomain,
} from "./typedData";

/**
 * The EIP-712 domain of the ledger at `address`, read with `eip712Domain()`. Throws
 * `InvalidFieldError` when the contract's domain is not the ledger's (name/version) or names
 * another contract.
 */
export async function readObservationLedgerDomain(
  client: Client,
  address: Address,
): Promise<ObservationLedgerDomain> {
  const { domain } = await getEip712Domain(client, { address });
  if (domain.name !== OBSERVATION_LEDGER_DOMAIN_NAME)
    throw new InvalidFieldError(
      "eip712Domain.name",
      domain.name,
      `expected "${OBSERVATION_LEDGER_DOMAIN_NAME}"`,
    );
  if (domain.version !== OBSERVATION_LEDGER_DOMAIN_VERSION)
    throw new InvalidFieldError(
      "eip712Domain.version",
      domain.version,
      `expected "${OBSERVATION_LEDGER_DOMAIN_VERSION}"`,
    );
  if (domain.chainId === undefined)
    throw new InvalidFieldError("eip712Domain.chainId", domain.chainId, "missing");
  if (
    domain.verifyingContract === undefined ||
    getAddress(domain.verifyingContract) !== getAddress(address)
  )
    throw new InvalidFieldError(
      "eip712Domain.verifyingContract",
      domain.verifyingContract,
      `expected the ledger address ${address}`,
    );
  return {
    name: domain.name,
    version: domain.version,
    chainId: BigInt(domain.chainId),
    verifyingContract: getAddress(domain.verifyingContract),
  };
}
