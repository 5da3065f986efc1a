/**
 * The EIP-712 plumbing every signed message of the project shares (the ledger's observations and
 * reports, the rail's `*WithSig` messages, the manifests' `eip712-secp256k1` signatures): the typed
 * data viem hashes, signs and verifies, and signing it with either kind of viem signer.
 */
import type {
  Account,
  Chain,
  Hex,
  LocalAccount,
  SignTypedDataParameters,
  Transport,
  TypedData,
  TypedDataDefinition,
  TypedDataDomain,
  WalletClient,
} from "viem";

/** Signs with a local account (private key, mnemonic) or with a wallet client that holds an account. */
export type TypedDataSigner =
  | Pick<LocalAccount, "signTypedData">
  | WalletClient<Transport, Chain | undefined, Account>;

/**
 * The typed data of `message`, a `primaryType` of `types`, under `domain`. Only the ERC-5267 fields
 * of `domain` (name, version, chainId, verifyingContract, and salt where there is one) are carried.
 */
export function typedDataDefinition<
  const types extends TypedData,
  primaryType extends keyof types & string,
>(
  domain: TypedDataDomain,
  types: types,
  primaryType: primaryType,
  message: TypedDataDefinition<types, primaryType>["message"],
): TypedDataDefinition<types, primaryType> {
  const { name, version, chainId, verifyingContract, salt } = domain;
  return {
    domain: { name, version, chainId, verifyingContract, ...(salt !== undefined ? { salt } : {}) },
    types,
    primaryType,
    message,
  } as TypedDataDefinition<types, primaryType>;
}

/** `signer`'s 65-byte EIP-712 signature over `typedData` (or whatever an ERC-1271 wallet's key signs). */
export async function signTypedDataWith<
  const types extends TypedData,
  primaryType extends keyof types & string,
>(signer: TypedDataSigner, typedData: TypedDataDefinition<types, primaryType>): Promise<Hex> {
  if (!("account" in signer)) return signer.signTypedData(typedData);
  // The spread of a generic `TypedDataDefinition` loses its link to `types`; it is the same object.
  const withAccount = { ...typedData, account: signer.account };
  return signer.signTypedData(withAccount as SignTypedDataParameters<types, primaryType, Account>);
}
