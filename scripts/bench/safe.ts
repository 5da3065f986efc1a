/**
 * A Safe multisig beside our ledger, on the same chain: the `SafeL2` singleton (the one Safe
 * deploys on L2s: it emits `SafeMultiSigTransaction` with every transaction) and `SafeProxyFactory`
 * deployed from the published build artifacts of `@safe-global/safe-contracts` 1.4.1 (solc 0.7.6,
 * optimizer off, as Safe's production deployments), a proxy with `owners` and `threshold`, and the
 * cost of one `execTransaction` that calls `PeerObservationRecorder.record` with the observation
 * headers: the owners sign the EIP-712 `SafeTx` and the signatures go in ascending owner order, as
 * `checkNSignatures` requires.
 */
import SafeL2Artifact from "@safe-global/safe-contracts/build/artifacts/contracts/SafeL2.sol/SafeL2.json";
import SafeProxyFactoryArtifact from "@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json";
import { concat, encodeFunctionData, zeroAddress, type Abi, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";

import type { L1FeeParameters } from "../../lib/opstack/fee-model";
import { deploy, send, type BenchChain, type TxCost } from "./chain";

export const safeAbi = SafeL2Artifact.abi as Abi;
const factoryAbi = SafeProxyFactoryArtifact.abi as Abi;

/** The EIP-712 `SafeTx` of Safe 1.4.1 (`Safe.SAFE_TX_TYPEHASH`). */
export const SAFE_TX_TYPES = {
  SafeTx: [
    { name: "to", type: "address" },
    { name: "value", type: "uint256" },
    { name: "data", type: "bytes" },
    { name: "operation", type: "uint8" },
    { name: "safeTxGas", type: "uint256" },
    { name: "baseGas", type: "uint256" },
    { name: "gasPrice", type: "uint256" },
    { name: "gasToken", type: "address" },
    { name: "refundReceiver", type: "address" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

export interface SafeSingletons {
  singleton: Address;
  factory: Address;
}

/** Deploys the `SafeL2` singleton and the proxy factory (once per chain). */
export async function deploySafeSingletons(
  chain: BenchChain,
  deployer: PrivateKeyAccount,
): Promise<SafeSingletons> {
  const singleton = await deploy(chain, deployer, safeAbi, SafeL2Artifact.bytecode as Hex, []);
  const factory = await deploy(
    chain,
    deployer,
    factoryAbi,
    SafeProxyFactoryArtifact.bytecode as Hex,
    [],
  );
  return { singleton, factory };
}

export interface SafeAccount {
  safe: Address;
  owners: readonly PrivateKeyAccount[];
  threshold: number;
}

/** Creates a Safe proxy with `owners` and `threshold` (no modules, no fallback handler). */
export async function createSafe(
  chain: BenchChain,
  singletons: SafeSingletons,
  deployer: PrivateKeyAccount,
  owners: readonly PrivateKeyAccount[],
  threshold: number,
  fees: L1FeeParameters,
  saltNonce: bigint,
): Promise<SafeAccount> {
  const initializer = encodeFunctionData({
    abi: safeAbi,
    functionName: "setup",
    args: [
      owners.map((o) => o.address),
      BigInt(threshold),
      zeroAddress,
      "0x",
      zeroAddress,
      zeroAddress,
      0n,
      zeroAddress,
    ],
  });
  const { result: safe } = await chain.publicClient.simulateContract({
    account: deployer,
    address: singletons.factory,
    abi: factoryAbi,
    functionName: "createProxyWithNonce",
    args: [singletons.singleton, initializer, saltNonce],
  });
  await send({
    chain,
    from: deployer,
    to: singletons.factory,
    abi: factoryAbi,
    functionName: "createProxyWithNonce",
    args: [singletons.singleton, initializer, saltNonce],
    fees,
  });
  const code = await chain.publicClient.getCode({ address: safe as Address });
  if (code === undefined || code === "0x")
    throw new Error(`bench: no Safe proxy at ${String(safe)} after createProxyWithNonce`);
  return { safe: safe as Address, owners, threshold };
}

/** The Safe transaction that calls `to` with `data` (a plain call, no refund). */
export function safeTransaction(to: Address, data: Hex, nonce: bigint) {
  return {
    to,
    value: 0n,
    data,
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce,
  } as const;
}
export type SafeTransaction = ReturnType<typeof safeTransaction>;

/**
 * The signatures of `signers` over the `SafeTx`, each r ‖ s ‖ v (v 27 or 28: an EIP-712 signature
 * of the `safeTxHash`), concatenated in ascending signer address order.
 */
export async function signSafeTransaction(
  chain: BenchChain,
  safe: Address,
  transaction: SafeTransaction,
  signers: readonly PrivateKeyAccount[],
): Promise<Hex> {
  const sorted = [...signers].sort((a, b) =>
    BigInt(a.address) < BigInt(b.address) ? -1 : BigInt(a.address) > BigInt(b.address) ? 1 : 0,
  );
  const signatures: Hex[] = [];
  for (const signer of sorted)
    signatures.push(
      await signer.signTypedData({
        domain: { chainId: chain.chain.id, verifyingContract: safe },
        types: SAFE_TX_TYPES,
        primaryType: "SafeTx",
        message: transaction,
      }),
    );
  return concat(signatures);
}

/** Reads the Safe's nonce. */
export async function safeNonce(chain: BenchChain, safe: Address): Promise<bigint> {
  return (await chain.publicClient.readContract({
    address: safe,
    abi: safeAbi,
    functionName: "nonce",
  })) as bigint;
}

/**
 * Cost of one `execTransaction` calling `to` with `data`, signed by the Safe's first `threshold`
 * owners (or `signers`) and sent by `relayer`.
 */
export async function execSafeTransaction(
  chain: BenchChain,
  account: SafeAccount,
  relayer: PrivateKeyAccount,
  to: Address,
  data: Hex,
  fees: L1FeeParameters,
  signers: readonly PrivateKeyAccount[] = account.owners.slice(0, account.threshold),
): Promise<TxCost> {
  const transaction = safeTransaction(to, data, await safeNonce(chain, account.safe));
  const signatures = await signSafeTransaction(chain, account.safe, transaction, signers);
  return await send({
    chain,
    from: relayer,
    to: account.safe,
    abi: safeAbi,
    functionName: "execTransaction",
    args: [
      transaction.to,
      transaction.value,
      transaction.data,
      transaction.operation,
      transaction.safeTxGas,
      transaction.baseGas,
      transaction.gasPrice,
      transaction.gasToken,
      transaction.refundReceiver,
      signatures,
    ],
    fees,
  });
}
