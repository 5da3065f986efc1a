/**
 * The bench's view of a chain: deterministic witness and relayer accounts that sign locally, and a
 * `send` that records, for each transaction, exactly what a user pays for: gas used from the
 * receipt, calldata bytes (zero / non-zero) and the signed bytes whose FastLZ size sets the OP Stack
 * L1 data fee.
 */
import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  http,
  keccak256,
  toHex,
  type Abi,
  type Account,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type EIP1193Provider,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

import { calldataGas, l1DataFee, type L1FeeParameters } from "../../lib/opstack/fee-model";

/** One chain the bench runs on (the in-process Hardhat network or an anvil node). */
export interface BenchChain {
  name: string;
  chain: Chain;
  transport: Transport;
  publicClient: PublicClient;
  /** Raw JSON-RPC (for `hardhat_setBalance` / `anvil_setBalance`, `evm_setBlockGasLimit`...). */
  rpc(method: string, params: unknown[]): Promise<unknown>;
  /** Prefix of the node's test methods: "hardhat" or "anvil". */
  testPrefix: "hardhat" | "anvil";
  /**
   * Called with every transaction `send` signs, before it is sent (the fee tests price each one
   * with the chain's GasPriceOracle).
   */
  onSigned?: (transaction: { functionName: string; signed: Hex }) => void;
}

export function hardhatChain(provider: EIP1193Provider, chainId: number): BenchChain {
  const chain = localChain(chainId, "hardhat");
  const transport = custom(provider);
  return {
    name: "in-process Hardhat network",
    chain,
    transport,
    publicClient: createPublicClient({ chain, transport }),
    rpc: (method, params) => provider.request({ method, params } as never),
    testPrefix: "hardhat",
  };
}

export function anvilChain(url: string, chainId: number): BenchChain {
  const chain = localChain(chainId, "anvil");
  const transport = http(url, { timeout: 120_000 });
  const client = createPublicClient({ chain, transport });
  return {
    name: "anvil",
    chain,
    transport,
    publicClient: client,
    rpc: (method, params) => client.request({ method, params } as never),
    testPrefix: "anvil",
  };
}

function localChain(id: number, name: string): Chain {
  return {
    id,
    name,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: ["http://127.0.0.1"] } },
  };
}

/** A deterministic local account: the same seed gives the same key on every run. */
export function benchAccount(seed: string): PrivateKeyAccount {
  return privateKeyToAccount(keccak256(toHex(`every.channel bench account: ${seed}`)));
}

/** `count` witness accounts `witness-0` … `witness-(count-1)`. */
export function witnessAccounts(count: number, namespace = "witness"): PrivateKeyAccount[] {
  return Array.from({ length: count }, (_, i) => benchAccount(`${namespace}-${i}`));
}

export function walletFor(
  chain: BenchChain,
  account: Account,
): WalletClient<Transport, Chain, Account> {
  return createWalletClient({ account, chain: chain.chain, transport: chain.transport });
}

/** Gives each account 1,000 ETH. */
export async function fund(chain: BenchChain, addresses: readonly Address[]): Promise<void> {
  for (const address of addresses)
    await chain.rpc(`${chain.testPrefix}_setBalance`, [address, toHex(10n ** 21n)]);
}

/** What one transaction cost. */
export interface TxCost {
  gasUsed: bigint;
  /** Calldata length in bytes. */
  calldataBytes: number;
  calldataZeroBytes: number;
  calldataNonZeroBytes: number;
  /** Length of the signed transaction (EIP-2718 envelope). */
  signedBytes: number;
  /** FastLZ size of the signed transaction. */
  fastLzSize: number;
  /** OP Stack (Fjord) L1 data fee in wei under the bench's fee parameters. */
  l1Fee: bigint;
  /** The same transaction's fee under the Ecotone formula, in wei. */
  ecotoneL1Fee: bigint;
  /** Gas of the transaction's event logs by the EVM schedule: 375 + 375 per topic + 8 per data byte. */
  logGas: number;
  /** Event logs emitted. */
  logs: number;
}

function logGasOf(logs: readonly { topics: readonly unknown[]; data: Hex }[]): number {
  return logs.reduce((g, l) => g + 375 + 375 * l.topics.length + 8 * ((l.data.length - 2) / 2), 0);
}

/** Sum of several transactions' costs (for example one `attest` per witness). */
export function sumCosts(costs: readonly TxCost[]): TxCost {
  return costs.reduce<TxCost>(
    (a, c) => ({
      gasUsed: a.gasUsed + c.gasUsed,
      calldataBytes: a.calldataBytes + c.calldataBytes,
      calldataZeroBytes: a.calldataZeroBytes + c.calldataZeroBytes,
      calldataNonZeroBytes: a.calldataNonZeroBytes + c.calldataNonZeroBytes,
      signedBytes: a.signedBytes + c.signedBytes,
      fastLzSize: a.fastLzSize + c.fastLzSize,
      l1Fee: a.l1Fee + c.l1Fee,
      ecotoneL1Fee: a.ecotoneL1Fee + c.ecotoneL1Fee,
      logGas: a.logGas + c.logGas,
      logs: a.logs + c.logs,
    }),
    {
      gasUsed: 0n,
      calldataBytes: 0,
      calldataZeroBytes: 0,
      calldataNonZeroBytes: 0,
      signedBytes: 0,
      fastLzSize: 0,
      l1Fee: 0n,
      ecotoneL1Fee: 0n,
      logGas: 0,
      logs: 0,
    },
  );
}

export class BenchTransactionError extends Error {
  override name = "BenchTransactionError";
}

export interface SendParameters<
  abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
> {
  chain: BenchChain;
  from: Account;
  to: Address;
  abi: abi;
  functionName: functionName;
  args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
  fees: L1FeeParameters;
  /** Gas limit; estimated when absent. */
  gas?: bigint;
  /** Mark the cost as not needed (history filling): skips the fee model. */
  measure?: boolean;
}

/** Signs locally, sends the raw transaction, waits for its receipt and returns what it cost. */
export async function send<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(parameters: SendParameters<abi, functionName>): Promise<TxCost> {
  const { chain, from } = parameters;
  const wallet = walletFor(chain, from);
  const data = encodeFunctionData({
    abi: parameters.abi,
    functionName: parameters.functionName,
    args: parameters.args,
  } as never);
  const request = await wallet.prepareTransactionRequest({
    to: parameters.to,
    data,
    type: "eip1559",
    ...(parameters.gas === undefined ? {} : { gas: parameters.gas }),
  } as never);
  const signed: Hex = await wallet.signTransaction(request as never);
  chain.onSigned?.({ functionName: String(parameters.functionName), signed });
  const hash = await wallet.sendRawTransaction({ serializedTransaction: signed });
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 5 });
  if (receipt.status !== "success")
    throw new BenchTransactionError(`${String(parameters.functionName)} reverted (tx ${hash})`);
  const calldata = calldataGas(data);
  if (parameters.measure === false)
    return {
      gasUsed: receipt.gasUsed,
      calldataBytes: (data.length - 2) / 2,
      calldataZeroBytes: calldata.zeroBytes,
      calldataNonZeroBytes: calldata.nonZeroBytes,
      signedBytes: (signed.length - 2) / 2,
      fastLzSize: 0,
      l1Fee: 0n,
      ecotoneL1Fee: 0n,
      logGas: logGasOf(receipt.logs),
      logs: receipt.logs.length,
    };
  const fee = l1DataFee({ signedTransaction: signed, fees: parameters.fees });
  return {
    gasUsed: receipt.gasUsed,
    calldataBytes: (data.length - 2) / 2,
    calldataZeroBytes: calldata.zeroBytes,
    calldataNonZeroBytes: calldata.nonZeroBytes,
    signedBytes: fee.size,
    fastLzSize: fee.fastLzSize,
    l1Fee: fee.l1Fee,
    ecotoneL1Fee: fee.ecotoneL1Fee,
    logGas: logGasOf(receipt.logs),
    logs: receipt.logs.length,
  };
}

/** Deploys a contract from an ABI and bytecode, signed by `from`; returns its address. */
export async function deploy(
  chain: BenchChain,
  from: Account,
  abi: Abi,
  bytecode: Hex,
  args: readonly unknown[],
): Promise<Address> {
  const wallet = walletFor(chain, from);
  const hash = await wallet.deployContract({ abi, bytecode, args } as never);
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 5 });
  if (receipt.status !== "success" || !receipt.contractAddress)
    throw new BenchTransactionError(`deployment reverted (tx ${hash})`);
  return receipt.contractAddress;
}
