// Blob-carrying calls on anvil (the in-process chain has no blob transactions): a blob transaction's
// batch is its blobs whatever its calldata, so every inbox function but the fallback must refuse one.
import { expect } from "chai";
import hre from "hardhat";
import {
  createPublicClient,
  createWalletClient,
  decodeErrorResult,
  defineChain,
  encodeFunctionData,
  http,
  toFunctionSelector,
  type Abi,
  type AbiFunction,
  type AbiParameter,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { DEV_MNEMONIC } from "../../lib/deploy/network-definitions";
import { startAnvil, type StartAnvilReturnType } from "../../lib/node/anvil";
import { revertData } from "../support/revert";

const BLOB_HASHES: Hex[] = [`0x01${"ab".repeat(31)}`];

function sample(parameter: AbiParameter, account: Address): unknown {
  switch (parameter.type) {
    case "address":
      return account;
    case "uint256":
      return 1n;
    case "bytes4":
      return "0x01ffc9a7";
    default:
      throw new Error(`no sample value for ${parameter.type}`);
  }
}

describe("EveryChannelRoundRobinInbox with blob-carrying calls (anvil)", function () {
  let node: StartAnvilReturnType;
  let client: PublicClient;
  let inbox: Address;
  let abi: Abi;
  const owner = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 0 });
  const leader = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 1 });
  const stranger = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: 2 });

  /** eth_call from `from`, with or without blob hashes; resolves to the revert data, or undefined on success. */
  async function call(from: Address, data: Hex, blobs: boolean): Promise<Hex | undefined> {
    const request = {
      from,
      to: inbox,
      data,
      ...(blobs ? { blobVersionedHashes: BLOB_HASHES, maxFeePerBlobGas: "0x1" } : {}),
    };
    try {
      await client.request({ method: "eth_call", params: [request as never, "latest"] });
      return undefined;
    } catch (error) {
      const reverted = revertData(error);
      if (reverted === undefined) throw error;
      return reverted;
    }
  }

  before(async function () {
    node = await startAnvil({ chainId: 900 });
    const chain = defineChain({
      id: 900,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [node.url] } },
    });
    client = createPublicClient({ chain, transport: http(node.url) }) as PublicClient;
    const artifact = await hre.artifacts.readArtifact("EveryChannelRoundRobinInbox");
    abi = artifact.abi as Abi;
    const wallet = createWalletClient({ account: owner, chain, transport: http(node.url) });
    const hash = await wallet.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode as Hex,
      args: [owner.address, [leader.address], 4n, 2n],
    });
    inbox = (await client.waitForTransactionReceipt({ hash })).contractAddress!;
  });

  after(async function () {
    await node?.stop();
  });

  it("reverts BlobsOutsideFallback(selector) in every function other than the fallback", async function () {
    const functions = abi.filter((x): x is AbiFunction => x.type === "function");
    expect(functions.length).to.equal(21);
    for (const fn of functions) {
      const data = encodeFunctionData({
        abi: [fn],
        functionName: fn.name,
        args: fn.inputs.map((p) => sample(p, stranger.address)),
      });
      for (const from of [owner.address, stranger.address]) {
        const reverted = await call(from, data, true);
        expect(reverted, `${fn.name} accepted a blob-carrying call`).to.not.equal(undefined);
        const decoded = decodeErrorResult({ abi, data: reverted! });
        expect(decoded.errorName, fn.name).to.equal("BlobsOutsideFallback");
        expect(decoded.args, fn.name).to.deep.equal([toFunctionSelector(fn)]);
        // The same call without blobs is not refused for blobs.
        const plain = await call(from, data, false);
        if (plain !== undefined)
          expect(decodeErrorResult({ abi, data: plain }).errorName, fn.name).to.not.equal(
            "BlobsOutsideFallback",
          );
      }
    }
  });

  it("accepts a blob-carrying batch from the leader through the fallback, and refuses it from anyone else", async function () {
    expect(await call(leader.address, "0x", true)).to.equal(undefined);
    expect(await call(leader.address, "0x00aabbcc", true)).to.equal(undefined);
    const refused = await call(stranger.address, "0x", true);
    expect(decodeErrorResult({ abi, data: refused! }).errorName).to.equal("NotLeader");
  });
});
