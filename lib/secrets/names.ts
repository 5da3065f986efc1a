/**
 * Every secret (or per-operator setting) the project reads, with what it is for. Values come from
 * the environment variable of the same name or from `npx hardhat vars set NAME`; none is ever
 * committed. `docs/deploy.md` documents the same table.
 */
export const SECRETS = {
  ECP_FORGE_L2_RPC_URL: "the JSON-RPC URL of the ecp-forge OP Stack L2",
  ECP_FORGE_L2_CHAIN_ID: "the chain id of the ecp-forge OP Stack L2 (default 920093)",
  OP_SEPOLIA_RPC_URL: "the JSON-RPC URL of OP Sepolia",
  ANVIL_RPC_URL: "the URL of the `anvil` network (default http://127.0.0.1:8545)",
  ANVIL_MNEMONIC:
    "the mnemonic of the `localhost`/`anvil` accounts (default: anvil's dev mnemonic)",
  DEPLOYER_PRIVATE_KEY: "the private key that sends the deploy transactions",
  OWNER_ADDRESS: "the address that owns the witness registry after deploy",
  OWNER_PRIVATE_KEY:
    "the private key of the registry owner (witness:add, witness:remove, quorum:set)",
  WITNESS_ADDRESSES: "the comma-separated initial witness addresses (witness1, witness2, ...)",
  WITNESS_PRIVATE_KEY: "the private key this witness node attests with (witness:run)",
  RELAYER_PRIVATE_KEY: "the private key that submits relayed witness signatures (relayer:run)",
  PUBLISHER_PRIVATE_KEY: "the private key of the manifest/announcement publisher (rail:*)",
} as const;

export type SecretName = keyof typeof SECRETS;

/** Secrets holding private keys: their values are never printed. */
export const PRIVATE_KEY_SECRETS = [
  "DEPLOYER_PRIVATE_KEY",
  "OWNER_PRIVATE_KEY",
  "WITNESS_PRIVATE_KEY",
  "RELAYER_PRIVATE_KEY",
  "PUBLISHER_PRIVATE_KEY",
] as const satisfies readonly SecretName[];

export type PrivateKeySecret = (typeof PRIVATE_KEY_SECRETS)[number];
