/**
 * Reads secrets (RPC URLs, private keys, operator addresses) from the environment or from Hardhat
 * configuration variables, lazily: nothing is read until a value is asked for, and a missing secret
 * is only an error where the caller says it is required. The library never imports `hardhat`; the
 * Hardhat `vars` store is passed in by `hardhat.config.ts` or a task.
 */
import { EveryChannelError } from "../errors";
import { SECRETS, type SecretName } from "./names";

/** The part of Hardhat's `vars` (from `hardhat/config`) the reader uses. */
export interface SecretSource {
  has(name: string): boolean;
  get(name: string): string;
}

export interface CreateSecretReaderParameters {
  /** Environment variables (checked first). Empty values count as absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Hardhat configuration variables (`npx hardhat vars set NAME`), checked second. */
  vars?: SecretSource;
}

/** Where a secret's value came from. */
export type SecretOrigin = "env" | "vars";

export interface SecretReader {
  /** The value, or undefined when neither the environment nor the Hardhat vars store has it. */
  optional(name: SecretName): string | undefined;
  /** The value, or a `MissingSecretError` naming the secret and how to set it. */
  require(name: SecretName, context?: string): string;
  /** Where the value would come from, without exposing it. */
  origin(name: SecretName): SecretOrigin | undefined;
}

/** A secret the operation needs is not set. */
export class MissingSecretError extends EveryChannelError {
  override name = "MissingSecretError";
  readonly secret: SecretName;

  constructor(secret: SecretName, context?: string) {
    super(
      `missing secret ${secret}${context === undefined ? "" : ` (needed for ${context})`}: ` +
        `${SECRETS[secret]}; set it with \`npx hardhat vars set ${secret}\` or the environment variable ${secret}`,
      { secret, context },
    );
    this.secret = secret;
  }
}

/** A secret is set but its value is unusable. The value itself is never repeated for keys. */
export class InvalidSecretError extends EveryChannelError {
  override name = "InvalidSecretError";
  readonly secret: SecretName;

  constructor(secret: SecretName, problem: string) {
    super(`secret ${secret}: ${problem}`, { secret, problem });
    this.secret = secret;
  }
}

/** Creates a reader over the environment and (optionally) the Hardhat configuration variables. */
export function createSecretReader(parameters: CreateSecretReaderParameters = {}): SecretReader {
  const env = parameters.env ?? {};
  const vars = parameters.vars;
  const lookup = (name: SecretName): { value: string; origin: SecretOrigin } | undefined => {
    const fromEnv = env[name];
    if (fromEnv !== undefined && fromEnv.trim() !== "")
      return { value: fromEnv.trim(), origin: "env" };
    if (vars !== undefined && vars.has(name)) {
      const fromVars = vars.get(name);
      if (fromVars.trim() !== "") return { value: fromVars.trim(), origin: "vars" };
    }
    return undefined;
  };
  return {
    optional: (name) => lookup(name)?.value,
    require: (name, context) => {
      const found = lookup(name);
      if (found === undefined) throw new MissingSecretError(name, context);
      return found.value;
    },
    origin: (name) => lookup(name)?.origin,
  };
}
