// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IEveryChannelLeaderInbox} from "./IEveryChannelLeaderInbox.sol";

/// @title IEveryChannelRoundRobinInbox
/// @notice A leader-election batch inbox that hands fixed windows of L1 blocks to an owner-managed list of
///         leaders in turn, with a liveness fallback: when the leader of a window has posted nothing for
///         `fallbackSilence` blocks of it, the next leader in the rotation may post, and its first post
///         takes the rest of the window over.
/// @dev The schedule. Window `w` covers L1 blocks `[origin + w * windowLength, origin + (w + 1) * windowLength)`,
///      where `origin` is the block the inbox was deployed in; window boundaries never move. The leader of
///      window `w` is `leaderAt(origin + w * windowLength)`: the leaders take windows in list order, one
///      window each, and start again from the first after the last. The "next leader" of a window is the
///      one after its leader in that order (none when there is one leader).
///      Who may post at block `b` of window `w` (the `fallback` accepts exactly these; every accepted post
///      emits `BatchAccepted`):
///      - the window's leader, unless the window was taken over;
///      - the next leader, once the window was taken over, or while the leader's silence at `b` is at
///        least `fallbackSilence` blocks. The silence is the number of blocks of the window, before `b`,
///        since the leader's latest accepted post (or since the window's start, or since the last change
///        of the window's leader by the owner, whichever is later). The next leader's first post in that
///        state takes the window over (`WindowTakenOver`): the leader cannot post again until the window
///        ends.
///      Hence all accepted posts of a block come from one account, and the accepted posts of a window are
///      the leader's, then (after a takeover) the next leader's, never interleaved.
///      Leader-set changes (owner only, `Ownable2Step`) keep the window grid, keep the current window with
///      its leader when that leader stays, and otherwise hand it to the leader that followed it (with a
///      fresh silence clock). Removal keeps the order of the others; the list holds at most `MAX_LEADER_COUNT`.
///      The whole schedule state is one storage word, so a post reads two words and writes at most one.
interface IEveryChannelRoundRobinInbox is IEveryChannelLeaderInbox {
    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Emitted for every accepted post (every successful transaction to the inbox).
    /// @param poster The sender.
    /// @param window The window the post landed in.
    /// @param viaFallback True when the poster is the window's next leader (liveness fallback).
    event BatchAccepted(address indexed poster, uint256 indexed window, bool viaFallback);

    /// @notice Emitted when the next leader's first post takes a silent leader's window over.
    /// @param window The window.
    /// @param leader The window's leader, who can no longer post in it.
    /// @param poster The next leader, who may post for the rest of the window.
    event WindowTakenOver(uint256 indexed window, address indexed leader, address indexed poster);

    /// @notice Emitted when `leader` is appended to the rotation.
    /// @param leader The leader.
    /// @param index Its position in the rotation (the previous number of leaders).
    event LeaderAdded(address indexed leader, uint256 index);

    /// @notice Emitted when `leader` leaves the rotation. The leaders after it move up one position.
    /// @param leader The leader.
    /// @param index The position it had.
    event LeaderRemoved(address indexed leader, uint256 index);

    /// @notice Emitted after every leader-set change: who leads the window the change happened in.
    /// @param window The window of the block the change happened in.
    /// @param windowLeader The window's leader after the change (zero when the set is empty).
    /// @param leaderCount The number of leaders after the change.
    /// @param windowReset True when the window's leader changed, so its silence clock restarted at this
    ///        block and any takeover of it was cleared.
    event RotationUpdated(
        uint256 indexed window,
        address indexed windowLeader,
        uint256 leaderCount,
        bool windowReset
    );

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown by the constructor for an unusable window: `windowLength` below 2 or above
    ///         2**32 - 1, or a `fallbackSilence` that is zero or not shorter than the window.
    /// @param windowLength The window length given.
    /// @param fallbackSilence The fallback silence given.
    error InvalidWindow(uint256 windowLength, uint256 fallbackSilence);

    /// @notice Thrown when asking for the window of a block before the schedule's origin.
    /// @param l1Block The block asked for.
    /// @param origin The schedule's origin (`scheduleOrigin`).
    error BlockBeforeOrigin(uint256 l1Block, uint256 origin);

    /// @notice Thrown when a post is sent while the rotation is empty.
    /// @param l1Block The block of the post.
    error NoLeaders(uint256 l1Block);

    /// @notice Thrown when the sender is neither the window's leader nor its next leader.
    /// @param poster The sender.
    /// @param l1Block The block of the post.
    /// @param leader The window's leader.
    error NotLeader(address poster, uint256 l1Block, address leader);

    /// @notice Thrown when the next leader posts before the leader has been silent long enough.
    /// @param poster The sender (the window's next leader).
    /// @param l1Block The block of the post.
    /// @param opensAt The first block at which the fallback opens if the leader stays silent.
    error FallbackNotOpen(address poster, uint256 l1Block, uint256 opensAt);

    /// @notice Thrown when a leader posts in its window after the next leader took it over.
    /// @param leader The sender (the window's leader).
    /// @param window The window.
    error LeaderWindowTakenOver(address leader, uint256 window);

    /// @notice Thrown when the zero address is given as a leader.
    error ZeroAddressLeader();

    /// @notice Thrown when adding an address that is already a leader.
    /// @param leader The address.
    error LeaderAlreadyActive(address leader);

    /// @notice Thrown when removing an address that is not a leader.
    /// @param account The address.
    error LeaderNotActive(address account);

    /// @notice Thrown when adding a leader to a full rotation.
    /// @param leader The address that could not be added.
    /// @param maxLeaders The maximum number of leaders (`MAX_LEADER_COUNT`).
    error LeaderSetFull(address leader, uint256 maxLeaders);

    // ---------------------------------------------------------------------------------------------
    // Owner actions (Ownable2Step)
    // ---------------------------------------------------------------------------------------------

    /// @notice Appends `leader` to the rotation (owner only).
    /// @dev Emits `LeaderAdded` then `RotationUpdated`. Reverts with `ZeroAddressLeader`,
    ///      `LeaderAlreadyActive` or `LeaderSetFull`.
    /// @param leader The address.
    function addLeader(address leader) external;

    /// @notice Removes `leader` from the rotation (owner only); the leaders after it move up one position.
    /// @dev Emits `LeaderRemoved` then `RotationUpdated`. Reverts with `LeaderNotActive`.
    /// @param leader The address.
    function removeLeader(address leader) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The maximum number of leaders in the rotation (256).
    /// @return The maximum.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_LEADER_COUNT() external view returns (uint256);

    /// @notice The L1 block window 0 starts at (the block the inbox was deployed in).
    /// @return The block number.
    function scheduleOrigin() external view returns (uint256);

    /// @notice How many blocks of silence of a window's leader open the fallback to the next leader.
    /// @return The number of blocks (at least 1, less than `windowLength`).
    function fallbackSilence() external view returns (uint256);

    /// @notice The window L1 block `l1Block` belongs to. Reverts with `BlockBeforeOrigin` before the origin.
    /// @param l1Block The L1 block number.
    /// @return window The window index.
    /// @return start The window's first block.
    /// @return end The block after the window's last block.
    function windowOf(uint256 l1Block) external view returns (uint256 window, uint256 start, uint256 end);

    /// @notice The scheduled leader of L1 block `l1Block` (zero before the origin or while the set is empty).
    /// @param l1Block The L1 block number.
    /// @return The leader.
    function leaderAt(uint256 l1Block) external view returns (address);

    /// @notice The rotation, in order.
    /// @return The leaders.
    function leaders() external view returns (address[] memory);

    /// @notice The number of leaders.
    /// @return The count.
    function leaderCount() external view returns (uint256);

    /// @notice The schedule state that posts change.
    /// @return lastLeaderPost The latest block in which a window's leader posted (or in which the owner
    ///         changed the current window's leader, or the origin).
    /// @return takenOverWindow The latest window taken over by its next leader, plus one (0: none yet).
    function postingState() external view returns (uint256 lastLeaderPost, uint256 takenOverWindow);
}
