import type { DeployNetworkParameters } from "../parameters";

/**
 * `ecpForgeL2`, the ecp-forge OP Stack L2 (first testnet tranche): registry-backed witnesses with a
 * fixed, explicit quorum (ECP-0093). The addresses come from the secrets `OWNER_ADDRESS` and
 * `WITNESS_ADDRESSES`; the witness count and quorum are reviewed here.
 */
export const parameters: DeployNetworkParameters = {
  owner: "owner",
  witnesses: ["witness1", "witness2", "witness3"],
  quorum: 2,
};
