/** Chain configuration files and secrets for setup-rollup tests, in a temporary folder outside the repository. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Anvil's first three dev keys: public test keys, never used on a live network. */
export const TEST_KEYS = {
  deployer: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  batcher: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  proposer: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  sequencer: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  challenger: "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
} as const;

export const ROLES = {
  l1ProxyAdminOwner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  l2ProxyAdminOwner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  systemConfigOwner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  unsafeBlockSigner: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  batcher: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  proposer: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
  challenger: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
} as const;

/** Writes the secrets files into `<dir>/secrets` and returns their paths by config field. */
export function writeSecrets(dir: string): Record<string, string> {
  const secrets = path.join(dir, "secrets");
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  const files: Record<string, string> = {};
  for (const [name, key] of Object.entries(TEST_KEYS)) {
    const file = path.join(secrets, `${name}.key`);
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    files[`${name}Key`] = file;
  }
  return files;
}

/** A Sepolia chain configuration (JSON-ready) whose paths live under `dir`. */
export function sepoliaConfig(
  dir: string,
  secrets: Record<string, string>,
): Record<string, unknown> {
  return {
    name: "ecp-forge",
    target: "sepolia",
    l1: {
      chainId: 11155111,
      rpcUrl: "https://sepolia.example.org/rpc",
      beaconUrl: "https://sepolia.example.org/beacon",
    },
    l2: { chainId: 920093 },
    opDeployer: { version: "0.7.1" },
    roles: { ...ROLES },
    feeVaults: {
      baseFeeVaultRecipient: ROLES.systemConfigOwner,
      l1FeeVaultRecipient: ROLES.systemConfigOwner,
      sequencerFeeVaultRecipient: ROLES.systemConfigOwner,
    },
    secrets: { ...secrets },
    paths: { workdir: path.join(dir, "deployer"), outDir: path.join(dir, "config") },
  };
}

/** Writes `config` as `<dir>/<name>` and returns the file. */
export function writeConfig(dir: string, name: string, config: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
