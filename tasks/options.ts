// The options several tasks share, declared once: each set adds its options to a task definition,
// and the argument types say what the action receives. `taskAction` puts an action behind the
// error boundary (tasks/errors.ts).
import type {
  ActionType,
  ConfigurableTaskDefinition,
  HardhatRuntimeEnvironment,
  RunSuperFunction,
  TaskArguments,
} from "hardhat/types";

import type { DeploymentTag } from "../lib/deploy/context";
import { reportErrors } from "./errors";

/** Adds options to a task definition. */
export type OptionSet = (definition: ConfigurableTaskDefinition) => ConfigurableTaskDefinition;

/** Adds `sets` to `definition`, in order. */
export function withOptions<T extends ConfigurableTaskDefinition>(
  definition: T,
  ...sets: readonly OptionSet[]
): T {
  for (const set of sets) set(definition);
  return definition;
}

/** The option that overrides each deployed contract's address. */
export const ADDRESS_OPTION = {
  WitnessRegistry: "registry",
  ObservationLedger: "ledger",
  Rail: "rail",
} as const satisfies Record<DeploymentTag, string>;

export type AddressOption = (typeof ADDRESS_OPTION)[DeploymentTag];

/** What the address option of `tag` gives the action. */
export type AddressArgs<tag extends DeploymentTag> = {
  [name in (typeof ADDRESS_OPTION)[tag]]?: string;
};

/** `--registry`, `--ledger` or `--rail`: the contract's address (default: its deployment record). */
export function addressOption(tag: DeploymentTag): OptionSet {
  const name = ADDRESS_OPTION[tag];
  return (definition) =>
    definition.addOptionalParam(
      name,
      `The ${name} address (default: the network's deployment record)`,
    );
}

/** What `fromOption` and `dryRunOption` give the action. */
export interface SenderArgs {
  from: string;
  dryRun: boolean;
}

/**
 * `--from`: the account that sends (a named account or an address). With `account` the option
 * defaults to that named account; with `required` it must be given; else it may be absent.
 */
export function fromOption(
  help: string,
  account: { default: string } | { required: true } | { optional: true },
): OptionSet {
  return (definition) =>
    "default" in account
      ? definition.addOptionalParam("from", help, account.default)
      : "required" in account
        ? definition.addParam("from", help)
        : definition.addOptionalParam("from", help);
}

/** `--dry-run`: print what would be sent (with its L2 gas and L1 data fee) and send nothing. */
export function dryRunOption(
  help = "Print the expected L2 gas and L1 data fee and send nothing",
): OptionSet {
  return (definition) => definition.addFlag("dryRun", help);
}

/** What `jsonOption` gives the action. */
export interface JsonArgs {
  json: boolean;
}

/** `--json`: print the answer as JSON. */
export const jsonOption: OptionSet = (definition) =>
  definition.addFlag("json", "Print JSON instead of text");

/** The registry owner sends: `--registry`, `--from` (default owner), `--dry-run`. */
export const ownerSends: readonly OptionSet[] = [
  addressOption("WitnessRegistry"),
  fromOption("The sending account: the owner, as a named account or address", {
    default: "owner",
  }),
  dryRunOption(),
];

/** A task action behind the error boundary: library errors become one-line refusals. */
export function taskAction<args extends TaskArguments>(
  action: (
    args: args,
    hre: HardhatRuntimeEnvironment,
    runSuper: RunSuperFunction<args>,
  ) => Promise<unknown>,
): ActionType<args> {
  return (args, hre, runSuper) => reportErrors(() => action(args, hre, runSuper));
}

export interface IndexerArgs {
  indexer?: string;
}

/** `--indexer URL`: answer from the settlement indexer's API instead of reading logs. */
export const indexerOption: OptionSet = (definition) =>
  definition.addOptionalParam(
    "indexer",
    "URL of a settlement indexer (npx hardhat indexer:run) to answer from instead of reading logs",
  );
