import { expect } from "chai";

import { ECP_FORGE_L2_DEFAULT_CHAIN_ID } from "../../lib/config/chains";
import { redactUrl } from "../../lib/deploy/network-definitions";
import {
  preflightNetwork,
  UnreachableRpcError,
  WrongChainIdError,
} from "../../lib/deploy/preflight";
import { freePort, startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import {
  createSecretReader,
  InvalidSecretError,
  MissingSecretError,
} from "../../lib/secrets/reader";

const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("network preflight", function () {
  let node: StartAnvilReturnType;

  before(async function () {
    node = await startAnvil({ chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID });
  });

  after(async function () {
    await node.stop();
  });

  it("passes a live network whose secrets are set and whose node reports its chain id", async function () {
    const result = await preflightNetwork({
      network: "ecpForgeL2",
      reader: createSecretReader({
        env: { ECP_FORGE_L2_RPC_URL: node.url, DEPLOYER_PRIVATE_KEY: KEY },
      }),
      requires: ["DEPLOYER_PRIVATE_KEY"],
    });
    expect(result).to.deep.equal({
      chainId: ECP_FORGE_L2_DEFAULT_CHAIN_ID,
      url: node.url,
      live: true,
    });
  });

  it("needs no secret for the in-process chain and anvil's URL from ANVIL_RPC_URL", async function () {
    expect(
      await preflightNetwork({ network: "hardhat", reader: createSecretReader({}) }),
    ).to.deep.equal({
      chainId: 31337,
      url: undefined,
      live: false,
    });
    const anvil = await preflightNetwork({
      network: "anvil",
      reader: createSecretReader({ env: { ANVIL_RPC_URL: node.url } }),
    });
    expect(anvil.chainId).to.equal(ECP_FORGE_L2_DEFAULT_CHAIN_ID);
  });

  it("names the missing RPC URL secret, then the missing key", async function () {
    const noUrl = await rejection(
      preflightNetwork({
        network: "ecpForgeL2",
        reader: createSecretReader({}),
        requires: ["DEPLOYER_PRIVATE_KEY"],
      }),
    );
    expect(noUrl)
      .to.be.instanceOf(MissingSecretError)
      .with.property("secret", "ECP_FORGE_L2_RPC_URL");
    const noKey = await rejection(
      preflightNetwork({
        network: "opSepolia",
        reader: createSecretReader({ env: { OP_SEPOLIA_RPC_URL: node.url } }),
        requires: ["DEPLOYER_PRIVATE_KEY"],
      }),
    );
    expect(noKey)
      .to.be.instanceOf(MissingSecretError)
      .with.property("secret", "DEPLOYER_PRIVATE_KEY");
  });

  it("names a malformed chain id secret", async function () {
    const error = await rejection(
      preflightNetwork({
        network: "ecpForgeL2",
        reader: createSecretReader({
          env: { ECP_FORGE_L2_RPC_URL: node.url, ECP_FORGE_L2_CHAIN_ID: "forge" },
        }),
      }),
    );
    expect(error).to.be.instanceOf(InvalidSecretError);
    expect(error.message).to.equal('secret ECP_FORGE_L2_CHAIN_ID: not a chain id: "forge"');
  });

  it("refuses a node that reports another chain id, naming both ids and the secrets", async function () {
    const error = await rejection(
      preflightNetwork({
        network: "ecpForgeL2",
        reader: createSecretReader({
          env: { ECP_FORGE_L2_RPC_URL: node.url, ECP_FORGE_L2_CHAIN_ID: "777" },
        }),
      }),
    );
    expect(error).to.be.instanceOf(WrongChainIdError);
    expect(error.message).to.equal(
      `ecpForgeL2: ${node.url} reports chain id ${ECP_FORGE_L2_DEFAULT_CHAIN_ID}, but ecpForgeL2 is configured for chain id 777 (check ECP_FORGE_L2_RPC_URL and ECP_FORGE_L2_CHAIN_ID); nothing was sent`,
    );
    const opSepolia = await rejection(
      preflightNetwork({
        network: "opSepolia",
        reader: createSecretReader({ env: { OP_SEPOLIA_RPC_URL: node.url } }),
      }),
    );
    expect(opSepolia).to.be.instanceOf(WrongChainIdError).with.property("expected", 11155420);
  });

  it("reports an unreachable RPC URL with the secret it came from", async function () {
    const port = await freePort();
    const error = await rejection(
      preflightNetwork({
        network: "ecpForgeL2",
        reader: createSecretReader({ env: { ECP_FORGE_L2_RPC_URL: `http://127.0.0.1:${port}` } }),
        timeoutMs: 2_000,
      }),
    );
    expect(error).to.be.instanceOf(UnreachableRpcError);
    expect(error.message).to.match(
      new RegExp(
        `^ecpForgeL2: RPC URL http://127\\.0\\.0\\.1:${port} is unreachable: .+ \\(ECP_FORGE_L2_RPC_URL\\); nothing was sent$`,
      ),
    );
  });

  it("never prints the path or credentials of an RPC URL", function () {
    expect(redactUrl("https://user:pw@rpc.example:8443/v2/secret-api-key?x=1")).to.equal(
      "https://rpc.example:8443/…",
    );
    expect(redactUrl("http://127.0.0.1:8545")).to.equal("http://127.0.0.1:8545");
    expect(redactUrl("not a url")).to.equal("(not a URL)");
  });
});
