/**
 * The smoke's accounts as viem local accounts: every witness signs its transactions and EIP-712
 * observations with its own key, in process, as a real witness node would. The keys come from the
 * network's configured accounts (an HD mnemonic, as on `hardhat`, `localhost` and `anvil`, or a
 * list of private keys).
 */
import { pbkdf2 } from "@noble/hashes/pbkdf2";
import { sha512 } from "@noble/hashes/sha512";
import { HDKey, hdKeyToAccount, privateKeyToAccount, type LocalAccount } from "viem/accounts";
import { z } from "zod";

import { InvalidFieldError } from "../errors";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be a 32-byte 0x-hex private key");

/** The shapes of Hardhat's `networks.<name>.accounts` that carry keys. */
export const accountsConfigSchema = z.union([
  z.object({
    mnemonic: z.string().min(1),
    path: z.string().default("m/44'/60'/0'/0"),
    initialIndex: z.number().int().min(0).default(0),
    count: z.number().int().min(0).default(20),
    passphrase: z.string().default(""),
  }),
  z.array(z.union([hex32, z.object({ privateKey: hex32 }).passthrough()])),
]);

export type AccountsConfig = z.input<typeof accountsConfigSchema>;

/** The number of accounts a network's accounts configuration holds. */
export function configuredAccountCount(config: unknown): number {
  const parsed = accountsConfigSchema.safeParse(config);
  if (!parsed.success) return 0;
  return Array.isArray(parsed.data) ? parsed.data.length : parsed.data.count;
}

/**
 * The local accounts at `indices` of a network's accounts configuration. Throws naming the index
 * when the configuration has no key there ("remote" accounts have none).
 */
export function localAccounts(config: unknown, indices: readonly number[]): LocalAccount[] {
  const parsed = accountsConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new InvalidFieldError(
      "networks.<network>.accounts",
      config,
      "must be an HD mnemonic or a list of private keys (the smoke signs with the witnesses' own keys)",
    );
  }
  const accounts = parsed.data;
  // BIP-39 seed, computed once (PBKDF2 is the slow step of deriving an HD account).
  const root = Array.isArray(accounts)
    ? undefined
    : HDKey.fromMasterSeed(
        pbkdf2(
          sha512,
          accounts.mnemonic.normalize("NFKD"),
          `mnemonic${accounts.passphrase}`.normalize("NFKD"),
          {
            c: 2048,
            dkLen: 64,
          },
        ),
      );
  return indices.map((index) => {
    if (Array.isArray(accounts)) {
      const entry = accounts[index];
      if (entry === undefined) {
        throw new InvalidFieldError(
          `accounts[${index}]`,
          undefined,
          `the network configures ${accounts.length} private keys`,
        );
      }
      return privateKeyToAccount(
        (typeof entry === "string" ? entry : entry.privateKey) as `0x${string}`,
      );
    }
    if (index >= accounts.count) {
      throw new InvalidFieldError(
        `accounts[${index}]`,
        undefined,
        `the network configures ${accounts.count} accounts`,
      );
    }
    const path = `${accounts.path.replace(/\/$/, "")}/${accounts.initialIndex + index}`;
    if (!path.startsWith("m/44'/60'/")) {
      throw new InvalidFieldError("accounts.path", accounts.path, "must start with m/44'/60'/");
    }
    return hdKeyToAccount(root!, { path: path as `m/44'/60'/${string}` });
  });
}
