/**
 * Signing the rail's EIP-712 messages with a viem account, for a relayer to submit through the
 * `*WithSig` functions of `EveryChannelRail`. Each function returns the message, the signature and
 * the digest the contract will check.
 */
import type { Account, Address, Chain, Hex, LocalAccount, Transport, WalletClient } from "viem";
import { getAddress, hashTypedData } from "viem";

import { signTypedDataWith, typedDataDefinition } from "../eip712/typedData";
import { InvalidFieldError } from "../errors";
import type { RailDomain } from "./domain";
import {
  railTypes,
  type AnnouncementPointer,
  type ClaimStreamMessage,
  type ManifestPointer,
  type PublishAnnouncementMessage,
  type PublishBatchMessage,
  type PublishManifestMessage,
  type RailPrimaryType,
} from "./typedData";

/** A key that signs: a local viem account, or a wallet client with an account. */
export type RailSigner = LocalAccount | WalletClient<Transport, Chain | undefined, Account>;

/** What every rail signing function needs besides the message. */
export type RailSignatureParameters = {
  signer: RailSigner;
  /** The rail's domain, normally from `readRailDomain`. */
  domain: RailDomain;
  /** The publisher's current nonce (`nonces(publisher)` on the rail). */
  nonce: bigint;
  /** Last block time (seconds since the Unix epoch) at which the rail accepts the message. */
  deadline: bigint;
  /**
   * The publisher the signature speaks for. Defaults to the signer's address; set it to an ERC-1271
   * wallet's address when a key the wallet accepts signs for it.
   */
  publisher?: Address;
};

/** A signed rail message. */
export type SignedRailMessage<message> = {
  message: message;
  /** The signature to pass to the `*WithSig` function. */
  signature: Hex;
  /** The EIP-712 digest the rail checks the signature against. */
  digest: Hex;
};

export type SignClaimStreamParameters = RailSignatureParameters & { streamId: Hex };
export type SignClaimStreamReturnType = SignedRailMessage<ClaimStreamMessage>;

/** Signs a `ClaimStream` message, for `claimStreamWithSig(key, publisher, nonce, deadline, signature)`. */
export async function signClaimStream(
  parameters: SignClaimStreamParameters,
): Promise<SignClaimStreamReturnType> {
  const publisher = publisherOf(parameters);
  return sign(parameters, "ClaimStream", {
    streamId: bytes32("streamId", parameters.streamId),
    publisher,
    ...nonceAndDeadline(parameters),
  });
}

export type SignManifestPointerParameters = RailSignatureParameters & { pointer: ManifestPointer };
export type SignManifestPointerReturnType = SignedRailMessage<PublishManifestMessage>;

/**
 * Signs a `PublishManifest` message, for
 * `publishManifestWithSig(publisher, pointer, nonce, deadline, signature)`.
 */
export async function signManifestPointer(
  parameters: SignManifestPointerParameters,
): Promise<SignManifestPointerReturnType> {
  return signPointer(parameters, "PublishManifest");
}

export type SignAnnouncementPointerParameters = RailSignatureParameters & {
  pointer: AnnouncementPointer;
};
export type SignAnnouncementPointerReturnType = SignedRailMessage<PublishAnnouncementMessage>;

/**
 * Signs a `PublishAnnouncement` message, for
 * `publishAnnouncementWithSig(publisher, pointer, nonce, deadline, signature)`.
 */
export async function signAnnouncementPointer(
  parameters: SignAnnouncementPointerParameters,
): Promise<SignAnnouncementPointerReturnType> {
  return signPointer(parameters, "PublishAnnouncement");
}

export type SignPointerBatchParameters = RailSignatureParameters & {
  manifests: readonly ManifestPointer[];
  announcements: readonly AnnouncementPointer[];
};
export type SignPointerBatchReturnType = SignedRailMessage<PublishBatchMessage>;

/**
 * Signs a `PublishBatch` message, for
 * `publishBatchWithSig(publisher, manifests, announcements, nonce, deadline, signature)`.
 */
export async function signPointerBatch(
  parameters: SignPointerBatchParameters,
): Promise<SignPointerBatchReturnType> {
  if (parameters.manifests.length === 0 && parameters.announcements.length === 0)
    throw new InvalidFieldError(
      "manifests/announcements",
      [],
      "a batch needs at least one pointer",
    );
  return sign(parameters, "PublishBatch", {
    publisher: publisherOf(parameters),
    manifests: parameters.manifests,
    announcements: parameters.announcements,
    ...nonceAndDeadline(parameters),
  });
}

type MessageOf = {
  ClaimStream: ClaimStreamMessage;
  PublishManifest: PublishManifestMessage;
  PublishAnnouncement: PublishAnnouncementMessage;
  PublishBatch: PublishBatchMessage;
};

/** The two single-pointer messages: the publisher, the pointer, the nonce and the deadline. */
async function signPointer<primaryType extends "PublishManifest" | "PublishAnnouncement">(
  parameters: RailSignatureParameters & { pointer: MessageOf[primaryType]["pointer"] },
  primaryType: primaryType,
): Promise<SignedRailMessage<MessageOf[primaryType]>> {
  return sign(parameters, primaryType, {
    publisher: publisherOf(parameters),
    pointer: parameters.pointer,
    ...nonceAndDeadline(parameters),
  } as MessageOf[primaryType]);
}

async function sign<primaryType extends RailPrimaryType>(
  { signer, domain }: RailSignatureParameters,
  primaryType: primaryType,
  message: MessageOf[primaryType],
): Promise<SignedRailMessage<MessageOf[primaryType]>> {
  // `message` is typed per primary type by `MessageOf`; viem validates it again at runtime.
  const typed = typedDataDefinition<typeof railTypes, RailPrimaryType>(
    domain,
    railTypes,
    primaryType,
    message,
  );
  const digest = hashTypedData(typed);
  const signature = await signTypedDataWith(signer, typed);
  return { message, signature, digest };
}

function nonceAndDeadline({ nonce, deadline }: RailSignatureParameters) {
  return { nonce: uint256("nonce", nonce), deadline: uint256("deadline", deadline) };
}

function isLocalAccount(signer: RailSigner): signer is LocalAccount {
  return signer.type === "local";
}

function publisherOf({ signer, publisher }: RailSignatureParameters): Address {
  if (publisher !== undefined) return getAddress(publisher);
  return getAddress(isLocalAccount(signer) ? signer.address : signer.account.address);
}

function bytes32(field: string, value: Hex): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value))
    throw new InvalidFieldError(field, value, "must be a 0x-prefixed 32-byte hex string");
  return value;
}

function uint256(field: string, value: bigint): bigint {
  if (value < 0n || value >= 1n << 256n)
    throw new InvalidFieldError(field, value, "must fit in a uint256");
  return value;
}
