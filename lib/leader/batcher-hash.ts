/**
 * The batcherHash version rule (SystemConfig `batcherHash`, a bytes32 versioned by its first byte):
 *
 * - version 0: `bytes32(address)`, one batcher; bytes 1-11 must be zero. A batch counts when it is
 *   sent to the inbox by that address (today's rule: the receipt is not consulted).
 * - version 1: leader election; bytes 1-31 are reserved and must be zero. A batch counts when its
 *   transaction to the inbox did not revert, whoever sent it: the inbox contract decides.
 * - any other version: not understood; the derivation stops with an error instead of guessing.
 */
import { getAddress, isHex, size, type Address, type Hex } from "viem";

import { EveryChannelError, InvalidFieldError } from "../errors";

/** What a batcherHash says about which inbox transactions count. */
export type BatcherHashRule =
  | { readonly version: 0; readonly batcher: Address }
  | { readonly version: 1 };

/** The batcherHash names a version this derivation does not implement. */
export class UnsupportedBatcherHashVersionError extends EveryChannelError {
  override name = "UnsupportedBatcherHashVersionError";
  readonly version: number;

  constructor(batcherHash: Hex, version: number) {
    super(
      `batcherHash ${batcherHash}: version ${version} is not supported (0 = one batcher address, 1 = leader election through the inbox contract)`,
      { batcherHash, version },
    );
    this.version = version;
  }
}

/** The version-1 batcherHash: leader election, reserved bytes zero. */
export const LEADER_ELECTION_BATCHER_HASH: Hex = `0x01${"00".repeat(31)}`;

/** The version-0 batcherHash of one batcher address. */
export function singleBatcherHash(batcher: Address): Hex {
  return `0x${"00".repeat(12)}${getAddress(batcher).slice(2).toLowerCase()}`;
}

/**
 * Reads the rule of `batcherHash`. Throws {@link InvalidFieldError} when it is not 32 bytes or its
 * zero bytes are not zero, and {@link UnsupportedBatcherHashVersionError} for versions above 1.
 */
export function parseBatcherHash(batcherHash: string): BatcherHashRule {
  if (!isHex(batcherHash, { strict: true }) || size(batcherHash) !== 32) {
    throw new InvalidFieldError(
      "batcherHash",
      batcherHash,
      "must be 32 bytes of hex (0x + 64 digits)",
    );
  }
  const hex = batcherHash.toLowerCase() as Hex;
  const version = Number.parseInt(hex.slice(2, 4), 16);
  if (version === 0) {
    if (!/^0{22}$/.test(hex.slice(4, 26))) {
      throw new InvalidFieldError(
        "batcherHash",
        batcherHash,
        "version 0: bytes 1-11 must be zero (the rest is the batcher address)",
      );
    }
    return { version: 0, batcher: getAddress(`0x${hex.slice(26)}`) };
  }
  if (version === 1) {
    if (!/^0{62}$/.test(hex.slice(4))) {
      throw new InvalidFieldError(
        "batcherHash",
        batcherHash,
        "version 1: bytes 1-31 are reserved and must be zero",
      );
    }
    return { version: 1 };
  }
  throw new UnsupportedBatcherHashVersionError(hex, version);
}
