/**
 * The op-deployer intent (`intent.toml`). `op-deployer init` writes one with the fields it knows
 * (`configType`, `opDeployerVersion`, `opcmAddress` and the contract locators for a known L1, one
 * `[[chains]]` entry with zero roles); setup-rollup keeps those and sets what the chain's
 * configuration decides: fee vault recipients, EIP-1559 parameters, the seven roles, and for a
 * devnet the OPCM and SuperchainConfig that `bootstrap` deployed. Field names as in op-deployer's
 * `state.Intent` / `state.ChainIntent` (op-deployer book, "The Init Command").
 */
import { parse, stringify } from "smol-toml";

import { EveryChannelError } from "../errors";
import { chainIdHash, type RollupConfig } from "./rollup-config";

export type TomlTable = Record<string, unknown>;

/** Addresses from the devnet bootstrap outputs (`bootstrap superchain`, `bootstrap implementations`). */
export interface BootstrapAddresses {
  opcm: string;
  superchainConfigProxy: string;
}

/** The intent cannot be built: `shortMessage` names the file and field. */
export class IntentError extends EveryChannelError {
  override name = "IntentError";
}

/** The fields setup-rollup sets on the chain's `[[chains]]` entry. */
export function chainOverlay(config: RollupConfig): TomlTable {
  return {
    id: chainIdHash(config.l2.chainId),
    baseFeeVaultRecipient: config.feeVaults.baseFeeVaultRecipient,
    l1FeeVaultRecipient: config.feeVaults.l1FeeVaultRecipient,
    sequencerFeeVaultRecipient: config.feeVaults.sequencerFeeVaultRecipient,
    eip1559DenominatorCanyon: config.eip1559.denominatorCanyon,
    eip1559Denominator: config.eip1559.denominator,
    eip1559Elasticity: config.eip1559.elasticity,
    roles: {
      l1ProxyAdminOwner: config.roles.l1ProxyAdminOwner,
      l2ProxyAdminOwner: config.roles.l2ProxyAdminOwner,
      systemConfigOwner: config.roles.systemConfigOwner,
      unsafeBlockSigner: config.roles.unsafeBlockSigner,
      batcher: config.roles.batcher,
      proposer: config.roles.proposer,
      challenger: config.roles.challenger,
    },
  };
}

/** The top-level fields setup-rollup sets. */
export function topOverlay(
  config: RollupConfig,
  bootstrap: BootstrapAddresses | undefined,
): TomlTable {
  const top: TomlTable = {
    l1ChainID: config.l1.chainId,
    fundDevAccounts: config.target === "devnet",
    useInterop: false,
  };
  if (bootstrap !== undefined) {
    top.opcmAddress = bootstrap.opcm;
    top.superchainConfigProxy = bootstrap.superchainConfigProxy;
  }
  return top;
}

/**
 * Merges the chain's configuration into the intent `op-deployer init` wrote (`initToml`, the text
 * of intent.toml). Merging into an intent setup-rollup already wrote gives the same text again.
 */
export function mergeIntent(
  initToml: string,
  config: RollupConfig,
  bootstrap: BootstrapAddresses | undefined,
  file = "intent.toml",
): string {
  let intent: TomlTable;
  try {
    intent = parse(initToml) as TomlTable;
  } catch (error) {
    throw new IntentError(`${file}: is not TOML: ${(error as Error).message}`);
  }
  Object.assign(intent, topOverlay(config, bootstrap));
  if (bootstrap !== undefined) delete intent.superchainRoles; // op-deployer refuses both with an OPCM
  for (const locator of ["l1ContractsLocator", "l2ContractsLocator"])
    if (intent[locator] === undefined || intent[locator] === "") intent[locator] = "embedded";
  const chains = intent.chains;
  const id = chainIdHash(config.l2.chainId);
  if (!Array.isArray(chains))
    throw new IntentError(`${file}: chains: missing; op-deployer init writes one [[chains]] entry`);
  const chain = (chains as TomlTable[]).find(
    (c) => typeof c.id === "string" && c.id.toLowerCase() === id,
  );
  if (chain === undefined)
    throw new IntentError(
      `${file}: chains: no entry with id ${id} (l2.chainId ${config.l2.chainId}); was the workdir initialised for another chain?`,
    );
  const overlay = chainOverlay(config);
  const roles = {
    ...((chain.roles as TomlTable | undefined) ?? {}),
    ...(overlay.roles as TomlTable),
  };
  Object.assign(chain, overlay, { roles });
  return stringify(intent) + "\n";
}

/** What a dry run shows when `op-deployer init` has not run yet: the fields that will be set. */
export function intentOverlayToml(
  config: RollupConfig,
  bootstrap: BootstrapAddresses | undefined,
): string {
  return (
    "# merged into the intent.toml that `op-deployer init` writes; its other fields are kept\n" +
    stringify({ ...topOverlay(config, bootstrap), chains: [chainOverlay(config)] }) +
    "\n"
  );
}
