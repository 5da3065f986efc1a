import { expect } from "chai";
import hre from "hardhat";

import { buildNamedAccountsConfig, buildNetworksConfig } from "../../lib/deploy/hardhat-config";
import { DEPLOY_PARAMETERS } from "../../lib/deploy/network-parameters";
import { NETWORK_NAMES } from "../../lib/deploy/network-definitions";
import { liveSecretFor, resolveDeployParameters } from "../../lib/deploy/parameters";
import { InvalidFieldError } from "../../lib/errors";
import { createSecretReader } from "../../lib/secrets/reader";

const A = "0x1000000000000000000000000000000000000001";
const B = "0x2000000000000000000000000000000000000002";
const C = "0x3000000000000000000000000000000000000003";
const named = { owner: A, witness1: B, witness2: C, witness3: undefined };

function problem(raw: unknown, namedAccounts: Record<string, string | undefined> = named): string {
  try {
    resolveDeployParameters({
      network: "ecpForgeL2",
      raw,
      namedAccounts,
      secretHint: liveSecretFor,
    });
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidFieldError);
    return (error as InvalidFieldError).message;
  }
  throw new Error("expected the parameters to be rejected");
}

describe("deploy parameters", function () {
  it("has one valid parameter file per network", function () {
    expect(Object.keys(DEPLOY_PARAMETERS).sort()).to.deep.equal([...NETWORK_NAMES].sort());
  });

  it("resolves named accounts and addresses to checksummed addresses", function () {
    const resolved = resolveDeployParameters({
      network: "hardhat",
      raw: { owner: "owner", witnesses: ["witness1", C.toLowerCase()], quorum: 2 },
      namedAccounts: named,
    });
    expect(resolved).to.deep.equal({ owner: A, witnesses: [B, C], quorum: 2n });
  });

  it("names the network, field and value of each invalid parameter", function () {
    expect(problem({ owner: "owner", witnesses: ["witness1"], quorum: 2 })).to.equal(
      "ecpForgeL2.quorum: must not exceed the number of witnesses (1) (got 2)",
    );
    expect(problem({ owner: "owner", witnesses: ["witness1", "witness2"], quorum: 1 })).to.equal(
      "ecpForgeL2.quorum: must be a strict majority of the 2 witnesses (2 × quorum > 2) (got 1)",
    );
    expect(problem({ owner: "owner", witnesses: ["witness1"], quorum: 0 })).to.equal(
      "ecpForgeL2.quorum: must be at least 1 (got 0)",
    );
    expect(problem({ owner: "owner", witnesses: ["witness1"], quorum: 1.5 })).to.equal(
      "ecpForgeL2.quorum: must be a whole number (got 1.5)",
    );
    expect(problem({ owner: "owner", witnesses: [], quorum: 1 })).to.equal(
      "ecpForgeL2.witnesses: needs at least one witness (got [])",
    );
    expect(problem({ owner: "0x12", witnesses: ["witness1"], quorum: 1 })).to.equal(
      'ecpForgeL2.owner: is neither a named account nor a valid address (got "0x12")',
    );
    expect(problem({ owner: "owner", witnesses: ["witness1"], quorum: 1, extra: 1 })).to.match(
      /^ecpForgeL2: Unrecognized key\(s\) in object: 'extra'/,
    );
  });

  it("names the secret that provides a named account without an address", function () {
    expect(problem({ owner: "owner", witnesses: ["witness1", "witness3"], quorum: 2 })).to.equal(
      'ecpForgeL2.witnesses[1]: named account has no address on ecpForgeL2 (set WITNESS_ADDRESSES (entry 3)) (got "witness3")',
    );
    expect(problem({ owner: "owner", witnesses: ["nobody"], quorum: 1 })).to.equal(
      'ecpForgeL2.witnesses[0]: is not a named account (got "nobody")',
    );
  });

  it("rejects duplicate witnesses and the zero address", function () {
    expect(
      problem({ owner: "owner", witnesses: ["witness1", B.toLowerCase()], quorum: 2 }),
    ).to.equal(
      `ecpForgeL2.witnesses[1]: is the same address as witnesses[0] (${B}) (got "${B.toLowerCase()}")`,
    );
    expect(
      problem({
        owner: "0x0000000000000000000000000000000000000000",
        witnesses: ["witness1"],
        quorum: 1,
      }),
    ).to.equal(
      'ecpForgeL2.owner: is the zero address (got "0x0000000000000000000000000000000000000000")',
    );
  });
});

describe("network configuration", function () {
  it("loads without any secret, leaving the live networks without URL or accounts", function () {
    const networks = buildNetworksConfig({ reader: createSecretReader({}), hardfork: "prague" });
    expect(networks.ecpForgeL2).to.deep.include({ url: "", chainId: 920093, accounts: [] });
    expect(networks.opSepolia).to.deep.include({ url: "", chainId: 11155420, accounts: [] });
    expect(networks.anvil).to.deep.include({ url: "http://127.0.0.1:8545" });
    const namedAccounts = buildNamedAccountsConfig(createSecretReader({}));
    expect(namedAccounts.deployer).to.deep.equal({ hardhat: 0, localhost: 0, anvil: 0 });
  });

  it("takes the live URL, chain id and keys from secrets and the anvil URL from ANVIL_RPC_URL", function () {
    const reader = createSecretReader({
      env: {
        ECP_FORGE_L2_RPC_URL: "https://l2.example/rpc",
        ECP_FORGE_L2_CHAIN_ID: "424242",
        DEPLOYER_PRIVATE_KEY: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        WITNESS_ADDRESSES: `${B},${C}`,
        ANVIL_RPC_URL: "http://127.0.0.1:9999",
      },
    });
    const networks = buildNetworksConfig({ reader, hardfork: "prague" });
    expect(networks.ecpForgeL2).to.deep.include({
      url: "https://l2.example/rpc",
      chainId: 424242,
      accounts: ["0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"],
    });
    expect(networks.anvil).to.deep.include({ url: "http://127.0.0.1:9999" });
    const namedAccounts = buildNamedAccountsConfig(reader);
    expect(namedAccounts.deployer?.ecpForgeL2).to.equal(
      "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    );
    expect(namedAccounts.witness2?.ecpForgeL2).to.equal(C);
    expect(namedAccounts.witness3?.ecpForgeL2).to.equal(undefined);
  });

  it("gives the in-process chain at least 30 funded accounts and distinct named accounts", async function () {
    const wallets = await hre.viem.getWalletClients();
    expect(wallets.length).to.be.at.least(30);
    const accounts = await hre.getNamedAccounts();
    const roles = ["deployer", "owner", "relayer", "publisher", "witness1", "witness2", "witness3"];
    const addresses = roles.map((role) => accounts[role]);
    expect(new Set(addresses).size).to.equal(roles.length);
    expect(addresses[0]?.toLowerCase()).to.equal(wallets[0]?.account.address.toLowerCase());
  });
});
