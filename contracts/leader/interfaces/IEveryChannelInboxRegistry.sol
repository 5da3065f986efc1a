// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IEveryChannelInboxRegistry
/// @notice Which leader-election batch inbox the chain uses: the L1 record that governance (the owner,
///         two-step ownership) changes to switch the leader-election mechanism, with an event a rollup node
///         follows the way it follows SystemConfig updates.
/// @dev A change applies to the batches of the L1 block it happens in and after: a node that reads this
///      block's `ActiveInboxChanged` before its batch transactions takes the new inbox's (see
///      `docs/leader-election.md`). Only contracts that declare `IEveryChannelLeaderInbox` through ERC-165
///      can be made active, so a plain address (which accepts anyone's transactions) never can.
interface IEveryChannelInboxRegistry {
    /// @notice Emitted when the active inbox changes (also by the constructor, from the zero address).
    /// @param previousInbox The inbox before the change.
    /// @param newInbox The inbox from this block on.
    event ActiveInboxChanged(address indexed previousInbox, address indexed newInbox);

    /// @notice Thrown when `inbox` does not declare `IEveryChannelLeaderInbox` through ERC-165 (an account
    ///         without code included).
    /// @param inbox The address.
    error NotALeaderInbox(address inbox);

    /// @notice Thrown when `inbox` is already the active inbox.
    /// @param inbox The address.
    error InboxAlreadyActive(address inbox);

    /// @notice Makes `inbox` the active inbox (owner only).
    /// @dev Emits `ActiveInboxChanged`. Reverts with `NotALeaderInbox` or `InboxAlreadyActive`.
    /// @param inbox The new inbox.
    function setActiveInbox(address inbox) external;

    /// @notice The active inbox.
    /// @return The inbox address.
    function activeInbox() external view returns (address);

    /// @notice The contract version (semver, see `docs/versioning.md`).
    /// @return The version string.
    function version() external pure returns (string memory);
}
