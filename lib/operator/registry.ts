/**
 * Witness registry operations: read its state, and plan owner changes (add or remove witnesses, set
 * the quorum, hand over ownership) with every rule of the registry checked before anything is sent,
 * so that a bad request fails here with the values that explain it instead of as a revert.
 */
import {
  encodeFunctionData,
  getAddress,
  isAddress,
  zeroAddress,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";
import type { RegistryRef } from "./contracts";
import { sendPlanned, type OperatorWallet, type SendPlannedReturnType } from "./send";

export interface RegistryState {
  address: Address;
  version: string;
  owner: Address;
  /** Zero when no ownership transfer is pending. */
  pendingOwner: Address;
  witnesses: Address[];
  quorum: bigint;
  maxWitnessIndices: bigint;
  indicesAssigned: bigint;
}

export async function readRegistry(
  client: PublicClient,
  registry: RegistryRef,
): Promise<RegistryState> {
  const read = <
    functionName extends
      | "version"
      | "owner"
      | "pendingOwner"
      | "witnesses"
      | "quorum"
      | "MAX_WITNESS_INDICES"
      | "indicesAssigned",
  >(
    functionName: functionName,
  ) => client.readContract({ address: registry.address, abi: registry.abi, functionName });
  const [version, owner, pendingOwner, witnesses, quorum, maxWitnessIndices, indicesAssigned] =
    await Promise.all([
      read("version"),
      read("owner"),
      read("pendingOwner"),
      read("witnesses"),
      read("quorum"),
      read("MAX_WITNESS_INDICES"),
      read("indicesAssigned"),
    ]);
  return {
    address: registry.address,
    version,
    owner,
    pendingOwner,
    witnesses: [...witnesses],
    quorum,
    maxWitnessIndices,
    indicesAssigned,
  };
}

/** Parses an address given on the command line. */
export function parseAddressArgument(field: string, value: string): Address {
  if (!isAddress(value, { strict: false }))
    throw new InvalidFieldError(field, value, "is not an address");
  const address = getAddress(value);
  if (address === zeroAddress) throw new InvalidFieldError(field, value, "is the zero address");
  return address;
}

/** Parses a quorum given on the command line. */
export function parseQuorumArgument(value: string): bigint {
  if (!/^[0-9]+$/.test(value))
    throw new InvalidFieldError("quorum", value, "is not a whole number");
  const quorum = BigInt(value);
  if (quorum < 1n) throw new InvalidFieldError("quorum", value, "must be at least 1");
  return quorum;
}

/** A change of the registry that breaks one of its rules. */
export class RegistryChangeError extends EveryChannelError {
  override name = "RegistryChangeError";
}

export interface PlanWitnessChangeParameters {
  registry: RegistryRef;
  state: RegistryState;
  add?: readonly Address[];
  remove?: readonly Address[];
  /** The quorum after the change; unchanged when absent. */
  quorum?: bigint;
}

export interface PlannedRegistryCall {
  /** One line saying what the call does. */
  description: string;
  data: Hex;
  /** The witness set and quorum after the call. */
  witnesses: Address[];
  quorum: bigint;
}

/** Checks a witness-set/quorum change against the registry's rules and encodes the call. */
export function planWitnessChange(parameters: PlanWitnessChangeParameters): PlannedRegistryCall {
  const { state } = parameters;
  const { abi, address: registry } = parameters.registry;
  const add = [...(parameters.add ?? [])];
  const remove = [...(parameters.remove ?? [])];
  const active = new Set(state.witnesses);
  const seen = new Set<Address>();
  for (const witness of [...add, ...remove]) {
    if (seen.has(witness)) throw new InvalidFieldError("witness", witness, "is named twice");
    seen.add(witness);
  }
  for (const witness of add) {
    if (active.has(witness))
      throw new InvalidFieldError(
        "witness",
        witness,
        `is already an active witness of ${registry}`,
      );
  }
  for (const witness of remove) {
    if (!active.has(witness))
      throw new InvalidFieldError("witness", witness, `is not an active witness of ${registry}`);
  }
  const witnesses = [...state.witnesses.filter((w) => !remove.includes(w)), ...add];
  const quorum = parameters.quorum ?? state.quorum;
  const count = BigInt(witnesses.length);
  const hint =
    parameters.quorum === undefined
      ? `; pass --quorum with a value from ${count / 2n + 1n} to ${count}`
      : "";
  if (count === 0n) {
    throw new RegistryChangeError(
      `the change would leave no witness (the registry needs at least one)`,
      { witnesses },
    );
  }
  if (quorum > count) {
    throw new RegistryChangeError(
      `quorum ${quorum} would exceed the ${count} witnesses left${hint}`,
      { quorum, count },
    );
  }
  if (2n * quorum <= count) {
    throw new RegistryChangeError(
      `quorum ${quorum} would not be a strict majority of ${count} witnesses (needs 2 × quorum > ${count})${hint}`,
      { quorum, count },
    );
  }
  const quorumChanged = quorum !== state.quorum;
  let data: Hex;
  let description: string;
  if (add.length === 1 && remove.length === 0 && !quorumChanged) {
    data = encodeFunctionData({ abi: abi, functionName: "addWitness", args: [add[0]!] });
    description = `addWitness(${add[0]})`;
  } else if (remove.length === 1 && add.length === 0 && !quorumChanged) {
    data = encodeFunctionData({ abi: abi, functionName: "removeWitness", args: [remove[0]!] });
    description = `removeWitness(${remove[0]})`;
  } else if (add.length === 0 && remove.length === 0) {
    if (!quorumChanged)
      throw new InvalidFieldError("quorum", quorum, "is already the registry's quorum");
    data = encodeFunctionData({ abi: abi, functionName: "setQuorum", args: [quorum] });
    description = `setQuorum(${quorum})`;
  } else {
    data = encodeFunctionData({
      abi: abi,
      functionName: "updateWitnessSet",
      args: [add, remove, quorum],
    });
    description = `updateWitnessSet(add [${add.join(", ")}], remove [${remove.join(", ")}], quorum ${quorum})`;
  }
  return { description, data, witnesses, quorum };
}

/**
 * `rotateWitness(previousKey, newKey)`: `newKey` takes `previousKey`'s index; `previousKey` is
 * retired for good. Refused here with the field and value when `previousKey` is not active or
 * `newKey` is one of the active witnesses (the contract refuses every other case by name).
 */
export function planWitnessRotation(
  registry: RegistryRef,
  state: RegistryState,
  previousKey: Address,
  newKey: Address,
): PlannedRegistryCall {
  if (!state.witnesses.includes(previousKey))
    throw new InvalidFieldError("witness", previousKey, "is not an active witness");
  if (state.witnesses.includes(newKey))
    throw new InvalidFieldError("new-key", newKey, "is already an active witness");
  if (newKey === previousKey)
    throw new InvalidFieldError("new-key", newKey, "is the key being retired");
  return {
    description: `rotateWitness(${previousKey} -> ${newKey}) (${previousKey} is retired for good)`,
    data: encodeFunctionData({
      abi: registry.abi,
      functionName: "rotateWitness",
      args: [previousKey, newKey],
    }),
    witnesses: state.witnesses.map((w) => (w === previousKey ? newKey : w)),
    quorum: state.quorum,
  };
}

/** Step one of the two-step handover: the owner proposes `newOwner`. */
export function planOwnershipTransfer(
  registry: RegistryRef,
  state: RegistryState,
  sender: Address,
  newOwner: Address,
): PlannedRegistryCall {
  if (sender !== state.owner) {
    throw new InvalidFieldError("from", sender, `is not the registry owner (${state.owner})`);
  }
  if (newOwner === state.owner)
    throw new InvalidFieldError("to", newOwner, "already owns the registry");
  return {
    description: `transferOwnership(${newOwner}) (the new owner then runs ownership:accept)`,
    data: encodeFunctionData({
      abi: registry.abi,
      functionName: "transferOwnership",
      args: [newOwner],
    }),
    witnesses: state.witnesses,
    quorum: state.quorum,
  };
}

/** Step two: the proposed owner accepts. */
export function planOwnershipAcceptance(
  registry: RegistryRef,
  state: RegistryState,
  sender: Address,
): PlannedRegistryCall {
  if (state.pendingOwner === zeroAddress) {
    throw new InvalidFieldError(
      "pendingOwner",
      state.pendingOwner,
      "no ownership transfer is pending",
    );
  }
  if (sender !== state.pendingOwner) {
    throw new InvalidFieldError("from", sender, `is not the pending owner (${state.pendingOwner})`);
  }
  return {
    description: `acceptOwnership() by ${sender}`,
    data: encodeFunctionData({ abi: registry.abi, functionName: "acceptOwnership" }),
    witnesses: state.witnesses,
    quorum: state.quorum,
  };
}

/** Refuses an owner-only change from an account that is not the owner. */
export function requireOwner(state: RegistryState, sender: Address): void {
  if (sender !== state.owner) {
    throw new InvalidFieldError(
      "from",
      sender,
      `is not the registry owner (${state.owner}); owner changes need the owner's key`,
    );
  }
}

/** `registry:show` as lines. */
export function formatRegistry(state: RegistryState): string[] {
  return [
    `registry ${state.address} (version ${state.version})`,
    `  owner: ${state.owner}${state.pendingOwner === zeroAddress ? "" : ` (pending: ${state.pendingOwner})`}`,
    `  quorum: ${state.quorum} of ${state.witnesses.length} witnesses`,
    ...state.witnesses.map((witness, i) => `  witness ${i + 1}: ${witness}`),
    `  witness indices assigned: ${state.indicesAssigned} of ${state.maxWitnessIndices}`,
  ];
}

export type RegistryChange =
  | { kind: "witnesses"; add?: readonly Address[]; remove?: readonly Address[]; quorum?: bigint }
  | { kind: "rotate"; previousKey: Address; newKey: Address }
  | { kind: "transfer-ownership"; newOwner: Address }
  | { kind: "accept-ownership" };

export interface ChangeRegistryParameters {
  publicClient: PublicClient;
  wallet: OperatorWallet;
  registry: RegistryRef;
  change: RegistryChange;
  dryRun: boolean;
  log: (line: string) => void;
}

/** Reads the registry, checks the change against its rules and the sender's role, then sends it. */
export async function changeRegistry(
  parameters: ChangeRegistryParameters,
): Promise<SendPlannedReturnType> {
  const { publicClient, wallet, registry, change } = parameters;
  const sender = wallet.account.address;
  const state = await readRegistry(publicClient, registry);
  let planned: PlannedRegistryCall;
  if (change.kind === "witnesses") {
    requireOwner(state, sender);
    planned = planWitnessChange({
      registry,
      state,
      add: change.add,
      remove: change.remove,
      quorum: change.quorum,
    });
  } else if (change.kind === "rotate") {
    requireOwner(state, sender);
    planned = planWitnessRotation(registry, state, change.previousKey, change.newKey);
  } else if (change.kind === "transfer-ownership") {
    planned = planOwnershipTransfer(registry, state, sender, change.newOwner);
  } else {
    planned = planOwnershipAcceptance(registry, state, sender);
  }
  if (change.kind === "witnesses") {
    parameters.log(
      `after the change: quorum ${planned.quorum} of ${planned.witnesses.length} witnesses`,
    );
  }
  return sendPlanned({
    publicClient,
    wallet,
    description: planned.description,
    to: registry.address,
    data: planned.data,
    abi: registry.abi,
    dryRun: parameters.dryRun,
    log: parameters.log,
  });
}
