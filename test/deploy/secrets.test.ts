import { expect } from "chai";

import { readAccountSecrets } from "../../lib/secrets/accounts";
import {
  createSecretReader,
  InvalidSecretError,
  MissingSecretError,
  type SecretSource,
} from "../../lib/secrets/reader";

// anvil's first two dev keys: public test keys with no value on any real chain.
const KEY0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ADDR0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const KEY1 = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const ADDR1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

function varsOf(values: Record<string, string>): SecretSource {
  return {
    has: (name) => Object.prototype.hasOwnProperty.call(values, name),
    get: (name) => {
      const value = values[name];
      if (value === undefined) throw new Error(`vars.get(${name}) called for an absent var`);
      return value;
    },
  };
}

describe("secrets", function () {
  it("prefers the environment over Hardhat configuration variables", function () {
    const reader = createSecretReader({
      env: { ECP_FORGE_L2_RPC_URL: "http://from-env" },
      vars: varsOf({ ECP_FORGE_L2_RPC_URL: "http://from-vars", OP_SEPOLIA_RPC_URL: "http://op" }),
    });
    expect(reader.optional("ECP_FORGE_L2_RPC_URL")).to.equal("http://from-env");
    expect(reader.origin("ECP_FORGE_L2_RPC_URL")).to.equal("env");
    expect(reader.optional("OP_SEPOLIA_RPC_URL")).to.equal("http://op");
    expect(reader.origin("OP_SEPOLIA_RPC_URL")).to.equal("vars");
  });

  it("treats empty values as absent and names the missing secret and how to set it", function () {
    const reader = createSecretReader({ env: { DEPLOYER_PRIVATE_KEY: "  " }, vars: varsOf({}) });
    expect(reader.optional("DEPLOYER_PRIVATE_KEY")).to.equal(undefined);
    expect(() => reader.require("DEPLOYER_PRIVATE_KEY", "deploy"))
      .to.throw(MissingSecretError)
      .with.property("message")
      .that.matches(/missing secret DEPLOYER_PRIVATE_KEY \(needed for deploy\)/)
      .and.matches(/npx hardhat vars set DEPLOYER_PRIVATE_KEY/);
  });

  it("reads nothing until a value is asked for", function () {
    const asked: string[] = [];
    const reader = createSecretReader({
      vars: {
        has: (name) => {
          asked.push(name);
          return false;
        },
        get: () => "",
      },
    });
    expect(asked).to.deep.equal([]);
    reader.optional("OWNER_ADDRESS");
    expect(asked).to.deep.equal(["OWNER_ADDRESS"]);
  });

  it("derives the named-role addresses from keys with or without 0x", function () {
    const accounts = readAccountSecrets(
      createSecretReader({
        env: {
          DEPLOYER_PRIVATE_KEY: KEY0,
          OWNER_PRIVATE_KEY: KEY1,
          WITNESS_ADDRESSES: `${ADDR0}, ${ADDR1.toLowerCase()}`,
        },
      }),
    );
    expect(accounts.problems).to.deep.equal([]);
    expect(accounts.keyAddresses.DEPLOYER_PRIVATE_KEY).to.equal(ADDR0);
    expect(accounts.owner, "owner defaults to the owner key's address").to.equal(ADDR1);
    expect(accounts.witnesses).to.deep.equal([ADDR0, ADDR1]);
  });

  it("reports malformed secrets by name without repeating a private key", function () {
    const badKey = "0x1234deadbeef";
    const accounts = readAccountSecrets(
      createSecretReader({
        env: {
          RELAYER_PRIVATE_KEY: badKey,
          WITNESS_PRIVATE_KEY: `0x${"0".repeat(64)}`,
          OWNER_ADDRESS: "0xnot-an-address",
          WITNESS_ADDRESSES: `${ADDR0},,nope`,
        },
      }),
    );
    const messages = accounts.problems.map((problem) => problem.message);
    expect(accounts.problems.every((p) => p instanceof InvalidSecretError)).to.equal(true);
    expect(messages).to.deep.equal([
      "secret WITNESS_PRIVATE_KEY: not a valid secp256k1 private key (zero or out of range; value not shown)",
      "secret RELAYER_PRIVATE_KEY: not a private key: expected 64 hex digits (with or without 0x), got 12 characters (value not shown)",
      'secret OWNER_ADDRESS: not an address: "0xnot-an-address"',
      'secret WITNESS_ADDRESSES: entry 2 is not an address: ""',
      'secret WITNESS_ADDRESSES: entry 3 is not an address: "nope"',
    ]);
    expect(messages.join("\n")).not.to.include("1234deadbeef");
    expect(accounts.keys).to.deep.equal({});
    expect(accounts.witnesses).to.deep.equal([ADDR0]);
  });
});
