/**
 * Chain ids this project knows. The ecp-forge L2 is an OP Stack chain anchored on Sepolia; its chain
 * id is chosen at bring-up and can be overridden with the `ECP_FORGE_L2_CHAIN_ID` secret/variable.
 */
export const HARDHAT_CHAIN_ID = 31337;
/** Default chain id of the ecp-forge OP Stack L2 (override with `ECP_FORGE_L2_CHAIN_ID`). */
export const ECP_FORGE_L2_DEFAULT_CHAIN_ID = 920093;
/** OP Sepolia, used for contract compatibility checks. */
export const OP_SEPOLIA_CHAIN_ID = 11155420;
/** Sepolia, the L1 the ecp-forge L2 settles on. */
export const SEPOLIA_CHAIN_ID = 11155111;
