/**
 * The rollup configuration file: one JSON file per OP Stack chain, read by
 * `scripts/op-stack/setup-rollup.sh`. One zod schema checks all of it; every error names the file,
 * the field path and the value. Keys never live in this file: the schema has no field for one, and
 * any string that looks like a private key is refused.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { z } from "zod";

import { SEPOLIA_CHAIN_ID } from "../config/chains";
import { describeValue, EveryChannelError } from "../errors";
import { fieldPath } from "../validation/errors";

/** The repository root: secrets files may not live below it. */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** The chain's configuration file is unusable; `shortMessage` is `file: field: problem (got value)`. */
export class RollupConfigError extends EveryChannelError {
  override name = "RollupConfigError";
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, problem: string, value?: unknown) {
    super(
      `${file}: ${field}: ${problem}${value === undefined ? "" : ` (got ${describeValue(value)})`}`,
      { file, field, problem, value },
    );
    this.file = file;
    this.field = field;
  }
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 20-byte 0x-prefixed hex address")
  .refine((value) => !/^0x0{40}$/.test(value), "must not be the zero address");
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte 0x-prefixed hex value");
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");
const chainId = z.number().int("must be an integer").positive("must be positive");
const port = z.number().int("must be an integer").min(1).max(65_535);
const filePath = z.string().min(1, "must be a file path");
const ENDPOINT_PROBLEM = 'must be an http(s) URL or { "file": "<secrets file>" }';
const httpUrl = z
  .string()
  .url(ENDPOINT_PROBLEM)
  .refine((value) => /^https?:\/\//.test(value), ENDPOINT_PROBLEM);
/** A URL given inline (a public endpoint) or read from a secrets file (an endpoint with a key). */
const endpoint = z.union([httpUrl, z.object({ file: filePath }).strict()], {
  errorMap: () => ({ message: ENDPOINT_PROBLEM }),
});
const ipv4 = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, "must be an IPv4 address");
const imageOverride = z
  .object({
    tag: z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/, "must be a release tag like v1.2.3"),
    digest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, "must be sha256:<64 hex digits>")
      .nullable(),
  })
  .strict();

/** The names of the OP Stack services the repository configures, in start order. */
export const OP_STACK_SERVICES = [
  "op-reth",
  "op-node",
  "op-batcher",
  "op-proposer",
  "op-challenger",
  "op-dispute-mon",
] as const;
export type OpStackService = (typeof OP_STACK_SERVICES)[number];

/** The one schema of a chain's configuration file. */
export const rollupConfigSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lowercase letters, digits and dashes"),
    /** `sepolia`: Sepolia has an OPCM, plain init/apply. `devnet`: a fresh L1 (anvil), bootstrapped first. */
    target: z.enum(["sepolia", "devnet"]),
    l1: z
      .object({
        chainId: chainId.default(SEPOLIA_CHAIN_ID),
        rpcUrl: endpoint,
        beaconUrl: endpoint.optional(),
      })
      .strict(),
    l2: z.object({ chainId }).strict(),
    opDeployer: z
      .object({ version: z.string().regex(/^\d+\.\d+\.\d+$/, "must be a version like 0.7.1") })
      .strict(),
    roles: z
      .object({
        l1ProxyAdminOwner: address,
        l2ProxyAdminOwner: address,
        systemConfigOwner: address,
        unsafeBlockSigner: address,
        batcher: address,
        proposer: address,
        challenger: address,
      })
      .strict(),
    feeVaults: z
      .object({
        baseFeeVaultRecipient: address,
        l1FeeVaultRecipient: address,
        sequencerFeeVaultRecipient: address,
      })
      .strict(),
    eip1559: z
      .object({
        denominatorCanyon: z.number().int().positive().default(250),
        denominator: z.number().int().positive().default(50),
        elasticity: z.number().int().positive().default(6),
      })
      .strict()
      .default({}),
    dataAvailability: z.enum(["blobs", "calldata"]).default("blobs"),
    proposer: z
      .object({
        proposalInterval: z
          .string()
          .regex(/^\d+(s|m|h)$/, "must be a duration like 30m or 1h")
          .default("1h"),
        /** 1 = permissioned (what op-deployer deploys for a new chain), 0 = permissionless cannon. */
        gameType: z.number().int().min(0).default(1),
      })
      .strict()
      .default({}),
    /** Files holding one 0x-prefixed private key each; outside the repository. */
    secrets: z
      .object({
        deployerKey: filePath,
        sequencerKey: filePath,
        batcherKey: filePath,
        proposerKey: filePath,
        challengerKey: filePath,
      })
      .strict(),
    /** The Cannon absolute prestate artifact; without it op-challenger and op-dispute-mon stay off. */
    prestate: z
      .object({
        /** The absolute prestate hash; the artifact is named `<hash>.bin.gz`. */
        hash: bytes32,
        /** sha256 of the `.bin.gz` artifact as built (`sha256sum`). */
        sha256: sha256Hex,
        file: filePath,
      })
      .strict()
      .optional(),
    paths: z
      .object({
        /** op-deployer's workdir: intent.toml, state.json. */
        workdir: filePath,
        /** genesis.json, rollup.json, deployment.json, services.json, services/*.flags, jwt.hex. */
        outDir: filePath,
      })
      .strict(),
    network: z
      .object({
        l2RpcAddress: ipv4.default("127.0.0.1"),
        l2RpcPort: port.default(8545),
        engineAddress: ipv4.default("127.0.0.1"),
        enginePort: port.default(8551),
        opNodeRpcAddress: ipv4.default("127.0.0.1"),
        opNodeRpcPort: port.default(9545),
        batcherRpcPort: port.default(8548),
        proposerRpcPort: port.default(8560),
        p2p: z
          .object({
            enabled: z.boolean().default(false),
            opNodePort: port.default(9222),
            opRethPort: port.default(30303),
            advertiseIp: ipv4.optional(),
          })
          .strict()
          .default({}),
      })
      .strict()
      .default({}),
    images: z
      .object({
        "op-reth": imageOverride,
        "op-node": imageOverride,
        "op-batcher": imageOverride,
        "op-proposer": imageOverride,
        "op-challenger": imageOverride,
        "op-dispute-mon": imageOverride,
      })
      .partial()
      .strict()
      .default({}),
    /** Only for `target: devnet`: owners of the Superchain contracts `bootstrap superchain` deploys. */
    devnet: z.object({ superchainProxyAdminOwner: address, guardian: address }).strict().optional(),
  })
  .strict()
  .superRefine((config, context) => {
    if (config.target === "devnet" && config.devnet === undefined)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["devnet"],
        message: "is required when target is devnet",
      });
    if (config.target === "sepolia" && config.l1.chainId !== SEPOLIA_CHAIN_ID)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["l1", "chainId"],
        message: `must be ${SEPOLIA_CHAIN_ID} when target is sepolia`,
      });
    if (config.target === "sepolia" && config.l1.beaconUrl === undefined)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["l1", "beaconUrl"],
        message: "is required when target is sepolia (op-node reads blobs from the beacon API)",
      });
    if (config.l1.chainId === config.l2.chainId)
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["l2", "chainId"],
        message: "must differ from l1.chainId",
      });
    if (config.prestate !== undefined) {
      const expected = `${config.prestate.hash.toLowerCase()}.bin.gz`;
      if (path.basename(config.prestate.file) !== expected)
        context.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["prestate", "file"],
          message: `must be named ${expected} (the artifact is named after its prestate hash)`,
        });
    }
  });

/** A validated configuration, with every path made absolute. */
export type RollupConfig = z.output<typeof rollupConfigSchema> & {
  /** The file it was read from. */
  readonly file: string;
};

const PRIVATE_KEY_LIKE = /^(0x)?[0-9a-fA-F]{64}$/;

/** Finds a string that looks like a private key anywhere in `value`, except where a hash belongs. */
function findKeyLikeString(value: unknown, at: PropertyKey[]): PropertyKey[] | undefined {
  if (typeof value === "string") return PRIVATE_KEY_LIKE.test(value) ? at : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    // The prestate hash and its sha256 are 32-byte values by definition.
    if (at.length === 1 && at[0] === "prestate" && (key === "hash" || key === "sha256")) continue;
    const found = findKeyLikeString(child, [...at, Array.isArray(value) ? Number(key) : key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

function valueAt(input: unknown, at: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of at) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Checks parsed JSON against the schema; `file` names it in errors and anchors relative paths. */
export function parseRollupConfig(input: unknown, file: string): RollupConfig {
  const keyAt = findKeyLikeString(input, []);
  if (keyAt !== undefined)
    throw new RollupConfigError(
      file,
      fieldPath("", keyAt),
      "looks like a private key; keys belong in secrets files named under secrets.*, never in this file",
    );
  const result = rollupConfigSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = fieldPath("", issue.path) || "(top level)";
    const value = valueAt(input, issue.path);
    const problem =
      issue.code === z.ZodIssueCode.unrecognized_keys
        ? `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`
        : value === undefined && issue.code === z.ZodIssueCode.invalid_type
          ? "is required"
          : issue.message;
    throw new RollupConfigError(
      file,
      field,
      problem,
      issue.code === z.ZodIssueCode.unrecognized_keys ? undefined : value,
    );
  }
  const base = path.dirname(path.resolve(file));
  const abs = (p: string): string => path.resolve(base, p);
  const config = result.data;
  const secrets = Object.fromEntries(
    Object.entries(config.secrets).map(([name, p]) => [name, abs(p)]),
  ) as typeof config.secrets;
  for (const [name, p] of Object.entries(secrets)) {
    const relative = path.relative(REPOSITORY_ROOT, p);
    if (!relative.startsWith("..") && !path.isAbsolute(relative))
      throw new RollupConfigError(
        file,
        `secrets.${name}`,
        "is inside the repository; keep keys in a secrets folder outside it",
        p,
      );
  }
  const absEndpoint = (e: string | { file: string }): string | { file: string } =>
    typeof e === "string" ? e : { file: abs(e.file) };
  return {
    ...config,
    l1: {
      ...config.l1,
      rpcUrl: absEndpoint(config.l1.rpcUrl),
      ...(config.l1.beaconUrl === undefined ? {} : { beaconUrl: absEndpoint(config.l1.beaconUrl) }),
    },
    secrets,
    ...(config.prestate === undefined
      ? {}
      : { prestate: { ...config.prestate, file: abs(config.prestate.file) } }),
    paths: { workdir: abs(config.paths.workdir), outDir: abs(config.paths.outDir) },
    file,
  };
}

/** Reads and checks a configuration file. */
export function loadRollupConfig(file: string): RollupConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new RollupConfigError(file, "(file)", `cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RollupConfigError(file, "(file)", `is not JSON: ${(error as Error).message}`);
  }
  return parseRollupConfig(json, file);
}

/** The L2 chain id as op-deployer writes it in the intent: a 32-byte hex value. */
export function chainIdHash(chainIdValue: number): string {
  return `0x${chainIdValue.toString(16).padStart(64, "0")}`;
}
