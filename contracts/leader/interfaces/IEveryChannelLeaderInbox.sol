// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title IEveryChannelLeaderInbox
/// @notice What every leader-election batch inbox implements, so that a batcher knows when it may post
///         and a rollup node knows which posts count. The inbox is the `to` address of the chain's batch
///         transactions (calldata or blobs, as today); it is a contract whose `fallback` accepts a
///         transaction only from the account allowed to post at that L1 block and reverts otherwise. The
///         derivation keeps the data of inbox transactions that did not revert and drops the others,
///         whoever sent them (batcherHash version 1, see `docs/leader-election.md`).
/// @dev Rules every implementation follows, because the derivation reads nothing but the receipt status:
///      - A transaction to the inbox succeeds only if its sender is allowed to post at that block (the
///        scheduled leader, or whoever the mechanism's liveness rule lets in). Every call that reaches the
///        `fallback` is a batch, whatever its calldata.
///      - No other function may succeed in a transaction that could carry a batch: the first byte of
///        every function selector is neither 0x00 (derivation version 0, channel frames) nor 0x01
///        (alternative-DA commitments), so calldata batches always reach the `fallback`; and every
///        function other than the `fallback` reverts with `BlobsOutsideFallback` when the transaction
///        carries blobs, since a blob transaction's data is its blobs whatever the calldata says.
///      - The `fallback` does not read the calldata, so its gas does not depend on the batch's size.
///      Views take an L1 block number and answer from the current state: they are exact for blocks after
///      the last state change (the latest accepted post or leader-set change) and are not meant for
///      reconstructing the past (the derivation uses receipts for that).
interface IEveryChannelLeaderInbox is IERC165 {
    /// @notice Thrown when a function other than the batch `fallback` is called in a transaction that
    ///         carries blobs (such a call would otherwise succeed and its blobs count as a batch).
    /// @param selector The selector of the function called.
    error BlobsOutsideFallback(bytes4 selector);

    /// @notice Whether `account` is the scheduled leader at L1 block `l1Block`.
    /// @dev Exactly one account is the scheduled leader of every block at or after the schedule's origin
    ///      while the leader set is not empty; none before it or while the set is empty.
    /// @param account The address.
    /// @param l1Block The L1 block number.
    /// @return True when `account` leads `l1Block`.
    function isLeader(address account, uint256 l1Block) external view returns (bool);

    /// @notice The look-ahead: the blocks `account` leads among the 256 blocks from `fromBlock`.
    /// @param account The address.
    /// @param fromBlock The first L1 block of the look-ahead.
    /// @return bitmap Bit `i` is set when `account` is the scheduled leader of block `fromBlock + i`.
    function leaderBlocks(address account, uint256 fromBlock) external view returns (uint256 bitmap);

    /// @notice Whether a transaction from `account` would be accepted at L1 block `l1Block`, if no other
    ///         post lands before it: as scheduled leader, or through the mechanism's liveness rule.
    /// @param account The address.
    /// @param l1Block The L1 block number (the block the transaction is expected to land in).
    /// @return True when the post would be accepted.
    function mayPost(address account, uint256 l1Block) external view returns (bool);

    /// @notice The number of consecutive L1 blocks each leader is given (its window).
    /// @return The window length in L1 blocks.
    function windowLength() external view returns (uint256);

    /// @notice The contract version (semver, see `docs/versioning.md`).
    /// @return The version string.
    function version() external view returns (string memory);
}
