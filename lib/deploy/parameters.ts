/**
 * Per-network deploy parameters (registry owner, initial witnesses, quorum), one typed file per
 * network under `lib/deploy/networks/`, validated with zod and resolved against the network's named
 * accounts before any transaction is sent. Errors name the network, the field and the value.
 */
import { getAddress, isAddress, zeroAddress, type Address } from "viem";
import { z } from "zod";

import { InvalidFieldError } from "../errors";
import type { NetworkName } from "./network-definitions";

/** Lifetime witness indices of the registry (`MAX_WITNESS_INDICES`). */
export const MAX_WITNESS_INDICES = 128;

/** A named account (`owner`, `witness1`, ...) or a 0x address. */
export type AccountReference = string;

export interface DeployNetworkParameters {
  /** Owner of the witness registry after deploy (can later hand over with a two-step transfer). */
  owner: AccountReference;
  /** Initial witness set, in order. */
  witnesses: readonly AccountReference[];
  /** Attestations needed to finalize an observation: a strict majority, quorum ≤ witnesses < 2 × quorum. */
  quorum: number;
}

export interface ResolvedDeployParameters {
  owner: Address;
  witnesses: Address[];
  quorum: bigint;
}

const accountReference = z
  .string()
  .min(1, "must name an account")
  .refine((value) => !value.startsWith("0x") || isAddress(value, { strict: false }), {
    message: "is neither a named account nor a valid address",
  });

export const deployNetworkParametersSchema = z
  .object({
    owner: accountReference,
    witnesses: z
      .array(accountReference)
      .min(1, "needs at least one witness")
      .max(MAX_WITNESS_INDICES, `at most ${MAX_WITNESS_INDICES} witnesses (registry indices)`),
    quorum: z.number().int("must be a whole number").min(1, "must be at least 1"),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.quorum > value.witnesses.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["quorum"],
        message: `must not exceed the number of witnesses (${value.witnesses.length})`,
      });
    } else if (2 * value.quorum <= value.witnesses.length) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["quorum"],
        message: `must be a strict majority of the ${value.witnesses.length} witnesses (2 × quorum > ${value.witnesses.length})`,
      });
    }
  });

function fieldValue(raw: unknown, path: readonly (string | number)[]): unknown {
  let value: unknown = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function fieldName(network: string, path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === "number" ? `${name}[${key}]` : `${name}.${key}`),
    network,
  );
}

/** Validates raw parameters; the first problem is thrown as `InvalidFieldError`. */
export function validateDeployParameters(network: string, raw: unknown): DeployNetworkParameters {
  const parsed = deployNetworkParametersSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    throw new InvalidFieldError(
      fieldName(network, path),
      fieldValue(raw, path),
      issue?.message ?? "invalid",
    );
  }
  return parsed.data;
}

export interface ResolveDeployParametersParameters {
  network: string;
  raw: unknown;
  /** The network's named accounts (`hre.getNamedAccounts()`). */
  namedAccounts: Readonly<Record<string, string | undefined>>;
  /** Which secret provides each named account on this network, for the error message. */
  secretHint?: (namedAccount: string) => string | undefined;
}

/** Validates the parameters and resolves every account reference to a checksummed address. */
export function resolveDeployParameters(
  parameters: ResolveDeployParametersParameters,
): ResolvedDeployParameters {
  const { network, namedAccounts, secretHint } = parameters;
  const valid = validateDeployParameters(network, parameters.raw);
  const resolve = (field: string, reference: AccountReference): Address => {
    let address: Address;
    if (reference.startsWith("0x")) {
      address = getAddress(reference);
    } else {
      if (!Object.prototype.hasOwnProperty.call(namedAccounts, reference)) {
        throw new InvalidFieldError(field, reference, "is not a named account");
      }
      const named = namedAccounts[reference];
      if (named === undefined) {
        const hint = secretHint?.(reference);
        throw new InvalidFieldError(
          field,
          reference,
          `named account has no address on ${network}${hint === undefined ? "" : ` (set ${hint})`}`,
        );
      }
      address = getAddress(named);
    }
    if (address === zeroAddress)
      throw new InvalidFieldError(field, reference, "is the zero address");
    return address;
  };
  const owner = resolve(`${network}.owner`, valid.owner);
  const witnesses = valid.witnesses.map((reference, index) =>
    resolve(`${network}.witnesses[${index}]`, reference),
  );
  witnesses.forEach((address, index) => {
    const first = witnesses.indexOf(address);
    if (first !== index) {
      throw new InvalidFieldError(
        `${network}.witnesses[${index}]`,
        valid.witnesses[index],
        `is the same address as witnesses[${first}] (${address})`,
      );
    }
  });
  return { owner, witnesses, quorum: BigInt(valid.quorum) };
}

/** The secret that provides a named account on a live network. */
export function liveSecretFor(namedAccount: string): string | undefined {
  if (namedAccount === "deployer") return "DEPLOYER_PRIVATE_KEY";
  if (namedAccount === "owner") return "OWNER_ADDRESS or OWNER_PRIVATE_KEY";
  if (namedAccount === "relayer") return "RELAYER_PRIVATE_KEY";
  if (namedAccount === "publisher") return "PUBLISHER_PRIVATE_KEY";
  if (namedAccount === "witness") return "WITNESS_PRIVATE_KEY";
  const slot = /^witness(\d+)$/.exec(namedAccount);
  if (slot !== null) return `WITNESS_ADDRESSES (entry ${slot[1]})`;
  return undefined;
}

export type DeployParametersByNetwork = Readonly<Record<NetworkName, DeployNetworkParameters>>;
