// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

import {IEveryChannelLeaderInbox} from "./interfaces/IEveryChannelLeaderInbox.sol";
import {IEveryChannelRoundRobinInbox} from "./interfaces/IEveryChannelRoundRobinInbox.sol";

/// @title EveryChannelRoundRobinInbox
/// @notice A batch inbox for several batchers: owner-managed leaders take fixed windows of L1 blocks in
///         turn, and the next leader may take over a window whose leader has gone silent.
/// @dev The `fallback` is the batch entry point: it never reads `msg.data`, so its gas does not depend on
///      the batch's size. Every other function rejects blob-carrying transactions and no selector starts
///      with 0x00 or 0x01 (see `IEveryChannelLeaderInbox`); the public getters are written out (no
///      compiler-generated ones) for that reason. The schedule state is one word (`_state`): a post reads it
///      and the leader's slot, and writes `_state` at most once per block and poster.
contract EveryChannelRoundRobinInbox is IEveryChannelRoundRobinInbox, Ownable2Step, ERC165 {
    uint256 private constant _MAX_LEADER_COUNT = 256;

    // Layout of `_state`: bits 0-63 the latest block a window's leader posted in (or the current
    // window's leader changed in), 64-127 the latest taken-over window plus one (0: none), 128-159 the
    // number of leaders, 160-191 the rotation offset: window `w` is led by `_leaderAt[(w + offset) % count]`.
    uint256 private constant _U64 = (1 << 64) - 1;
    uint256 private constant _U32 = (1 << 32) - 1;
    uint256 private constant _TAKEN_OVER_SHIFT = 64;
    uint256 private constant _COUNT_SHIFT = 128;
    uint256 private constant _OFFSET_SHIFT = 160;

    uint256 private immutable _ORIGIN;
    uint256 private immutable _WINDOW_LENGTH;
    uint256 private immutable _FALLBACK_SILENCE;

    /// @dev The schedule state in one word (layout above).
    uint256 private _state;
    mapping(uint256 index => address leader) private _leaderAt;
    mapping(address leader => uint256 indexPlusOne) private _indexPlusOne;

    /// @dev Every function but the `fallback` refuses blob-carrying transactions.
    modifier noBlobs() {
        _rejectBlobs();
        _;
    }

    /// @notice Creates the inbox: window 0 starts at this block.
    /// @dev Emits `LeaderAdded` and `RotationUpdated` per initial leader. Reverts with `InvalidWindow`, the
    ///      errors of `addLeader`, and `OwnableInvalidOwner` for a zero owner.
    /// @param initialOwner The owner (Ownable2Step), who manages the leaders.
    /// @param initialLeaders The first leaders, in rotation order.
    /// @param windowLength_ The number of consecutive L1 blocks each leader is given (2 to 2**32 - 1).
    /// @param fallbackSilence_ The blocks of a leader's silence that open its window to the next leader
    ///        (at least 1, less than `windowLength_`).
    constructor(
        address initialOwner,
        address[] memory initialLeaders,
        uint256 windowLength_,
        uint256 fallbackSilence_
    ) Ownable(initialOwner) {
        if (
            windowLength_ < 2 ||
            windowLength_ > _U32 ||
            fallbackSilence_ == 0 ||
            fallbackSilence_ >= windowLength_
        ) revert InvalidWindow(windowLength_, fallbackSilence_);
        _ORIGIN = block.number;
        _WINDOW_LENGTH = windowLength_;
        _FALLBACK_SILENCE = fallbackSilence_;
        _state = block.number;
        for (uint256 i = 0; i < initialLeaders.length; ++i) {
            _addLeader(initialLeaders[i]);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Batches
    // ---------------------------------------------------------------------------------------------

    /// @notice Accepts a batch (calldata, or blobs with any calldata) from the account allowed to post at
    ///         this block and reverts for anyone else; see the posting rules in `IEveryChannelRoundRobinInbox`.
    /// @dev Emits `BatchAccepted`, preceded by `WindowTakenOver` on the next leader's first post in a silent
    ///      window. Reverts with `NoLeaders`, `NotLeader`, `FallbackNotOpen` or `LeaderWindowTakenOver`.
    ///      Never reads `msg.data`.
    // The batch entry point is the fallback by design (any calldata, no selector): not a simple one.
    // solhint-disable-next-line no-complex-fallback
    fallback() external {
        uint256 word = _state;
        uint256 count = (word >> _COUNT_SHIFT) & _U32;
        if (count == 0) revert NoLeaders(block.number);
        uint256 window = (block.number - _ORIGIN) / _WINDOW_LENGTH;
        uint256 index = (window + (word >> _OFFSET_SHIFT)) % count;
        address leader = _leaderAt[index];
        uint256 takenOver = (word >> _TAKEN_OVER_SHIFT) & _U64;
        if (msg.sender == leader) {
            if (takenOver == window + 1) revert LeaderWindowTakenOver(leader, window);
            if (word & _U64 != block.number) _state = (word & ~_U64) | block.number;
            emit BatchAccepted(msg.sender, window, false);
            return;
        }
        // With one leader the next leader is the leader itself, so nobody else gets here.
        if (msg.sender != _leaderAt[(index + 1) % count]) revert NotLeader(msg.sender, block.number, leader);
        if (takenOver != window + 1) {
            uint256 opensAt = _silenceStart(word, window) + _FALLBACK_SILENCE;
            if (block.number < opensAt) revert FallbackNotOpen(msg.sender, block.number, opensAt);
            _state = (word & ~(_U64 << _TAKEN_OVER_SHIFT)) | ((window + 1) << _TAKEN_OVER_SHIFT);
            emit WindowTakenOver(window, leader, msg.sender);
        }
        emit BatchAccepted(msg.sender, window, true);
    }

    // ---------------------------------------------------------------------------------------------
    // Owner actions
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function addLeader(address leader) external noBlobs onlyOwner {
        _addLeader(leader);
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function removeLeader(address leader) external noBlobs onlyOwner {
        uint256 word = _state;
        uint256 indexPlusOne = _indexPlusOne[leader];
        if (indexPlusOne == 0) revert LeaderNotActive(leader);
        uint256 count = (word >> _COUNT_SHIFT) & _U32;
        uint256 current = _currentIndex(word, count);
        uint256 removed = indexPlusOne - 1;
        for (uint256 i = removed; i + 1 < count; ++i) {
            address moved = _leaderAt[i + 1];
            _leaderAt[i] = moved;
            _indexPlusOne[moved] = i + 1;
        }
        delete _leaderAt[count - 1];
        delete _indexPlusOne[leader];
        emit LeaderRemoved(leader, removed);
        // The current window keeps its leader unless it was the one removed; then the leader that
        // followed it (now at the same position, or the first when it was the last) takes the window.
        if (removed < current) _updateRotation(word, count - 1, current - 1, false);
        else if (removed > current) _updateRotation(word, count - 1, current, false);
        else _updateRotation(word, count - 1, count == 1 ? 0 : current % (count - 1), true);
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelLeaderInbox
    function isLeader(address account, uint256 l1Block) external view noBlobs returns (bool) {
        address leader = _leaderOf(l1Block);
        return leader != address(0) && leader == account;
    }

    /// @inheritdoc IEveryChannelLeaderInbox
    function leaderBlocks(address account, uint256 fromBlock) external view noBlobs returns (uint256 bitmap) {
        uint256 count = (_state >> _COUNT_SHIFT) & _U32;
        if (count == 0 || account == address(0)) return 0;
        uint256 first = fromBlock < _ORIGIN ? _ORIGIN : fromBlock;
        uint256 end = fromBlock + 256;
        while (first < end) {
            uint256 window = (first - _ORIGIN) / _WINDOW_LENGTH;
            uint256 windowEnd = _ORIGIN + (window + 1) * _WINDOW_LENGTH;
            uint256 last = windowEnd < end ? windowEnd : end;
            if (_leaderAt[(window + (_state >> _OFFSET_SHIFT)) % count] == account) {
                // Bits [first - fromBlock, last - fromBlock): a run of (last - first) ones.
                uint256 run = last - first == 256 ? type(uint256).max : (1 << (last - first)) - 1;
                bitmap |= run << (first - fromBlock);
            }
            first = last;
        }
    }

    /// @inheritdoc IEveryChannelLeaderInbox
    function mayPost(address account, uint256 l1Block) external view noBlobs returns (bool) {
        uint256 word = _state;
        uint256 count = (word >> _COUNT_SHIFT) & _U32;
        if (count == 0 || l1Block < _ORIGIN || account == address(0)) return false;
        uint256 window = (l1Block - _ORIGIN) / _WINDOW_LENGTH;
        uint256 index = (window + (word >> _OFFSET_SHIFT)) % count;
        bool takenOver = (word >> _TAKEN_OVER_SHIFT) & _U64 == window + 1;
        if (account == _leaderAt[index]) return !takenOver;
        if (count == 1 || account != _leaderAt[(index + 1) % count]) return false;
        return takenOver || l1Block >= _silenceStart(word, window) + _FALLBACK_SILENCE;
    }

    /// @inheritdoc IEveryChannelLeaderInbox
    function windowLength() external view noBlobs returns (uint256) {
        return _WINDOW_LENGTH;
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    // solhint-disable-next-line func-name-mixedcase
    function MAX_LEADER_COUNT() external view noBlobs returns (uint256) {
        return _MAX_LEADER_COUNT;
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function scheduleOrigin() external view noBlobs returns (uint256) {
        return _ORIGIN;
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function fallbackSilence() external view noBlobs returns (uint256) {
        return _FALLBACK_SILENCE;
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function windowOf(
        uint256 l1Block
    ) external view noBlobs returns (uint256 window, uint256 start, uint256 end) {
        if (l1Block < _ORIGIN) revert BlockBeforeOrigin(l1Block, _ORIGIN);
        window = (l1Block - _ORIGIN) / _WINDOW_LENGTH;
        start = _ORIGIN + window * _WINDOW_LENGTH;
        end = start + _WINDOW_LENGTH;
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function leaderAt(uint256 l1Block) external view noBlobs returns (address) {
        return _leaderOf(l1Block);
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function leaders() external view noBlobs returns (address[] memory list) {
        uint256 count = (_state >> _COUNT_SHIFT) & _U32;
        list = new address[](count);
        for (uint256 i = 0; i < count; ++i) {
            list[i] = _leaderAt[i];
        }
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function leaderCount() external view noBlobs returns (uint256) {
        return (_state >> _COUNT_SHIFT) & _U32;
    }

    /// @inheritdoc IEveryChannelRoundRobinInbox
    function postingState() external view noBlobs returns (uint256 lastLeaderPost, uint256 takenOverWindow) {
        uint256 word = _state;
        return (word & _U64, (word >> _TAKEN_OVER_SHIFT) & _U64);
    }

    /// @inheritdoc IEveryChannelLeaderInbox
    function version() external view noBlobs returns (string memory) {
        return "1.0.0";
    }

    /// @inheritdoc IERC165
    function supportsInterface(
        bytes4 interfaceId
    ) public view override(ERC165, IERC165) noBlobs returns (bool) {
        return
            interfaceId == type(IEveryChannelLeaderInbox).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------------------------------------
    // Ownable2Step, with the blob guard
    // ---------------------------------------------------------------------------------------------

    /// @notice The owner, who manages the leaders.
    /// @return The owner address.
    function owner() public view override noBlobs returns (address) {
        return super.owner();
    }

    /// @notice The address `transferOwnership` proposed, until it accepts.
    /// @return The pending owner address.
    function pendingOwner() public view override noBlobs returns (address) {
        return super.pendingOwner();
    }

    /// @notice Proposes `newOwner` (owner only); ownership moves when it calls `acceptOwnership`.
    /// @param newOwner The proposed owner.
    function transferOwnership(address newOwner) public override noBlobs {
        super.transferOwnership(newOwner);
    }

    /// @notice Completes a transfer of ownership (the pending owner only).
    function acceptOwnership() public override noBlobs {
        super.acceptOwnership();
    }

    /// @notice Gives up ownership (owner only): the leader set can then never change again.
    function renounceOwnership() public override noBlobs {
        super.renounceOwnership();
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _addLeader(address leader) private {
        if (leader == address(0)) revert ZeroAddressLeader();
        if (_indexPlusOne[leader] != 0) revert LeaderAlreadyActive(leader);
        uint256 word = _state;
        uint256 count = (word >> _COUNT_SHIFT) & _U32;
        if (count == _MAX_LEADER_COUNT) revert LeaderSetFull(leader, _MAX_LEADER_COUNT);
        _leaderAt[count] = leader;
        _indexPlusOne[leader] = count + 1;
        emit LeaderAdded(leader, count);
        // Appending moves nobody: the current window keeps its leader (the new one leads when the set was empty).
        _updateRotation(word, count + 1, _currentIndex(word, count), count == 0);
    }

    /// @dev Stores the new count, and the offset that gives the current window to position `current`; when
    ///      `reset`, the window's leader changed: its silence clock restarts now and its takeover is cleared.
    function _updateRotation(uint256 word, uint256 count, uint256 current, bool reset) private {
        uint256 window = (block.number - _ORIGIN) / _WINDOW_LENGTH;
        uint256 offset = count == 0 ? 0 : (current + count - (window % count)) % count;
        uint256 kept = reset ? block.number : word & (_U64 | (_U64 << _TAKEN_OVER_SHIFT));
        _state = kept | (count << _COUNT_SHIFT) | (offset << _OFFSET_SHIFT);
        emit RotationUpdated(window, count == 0 ? address(0) : _leaderAt[current], count, reset);
    }

    /// @dev The rotation position of the current window's leader (0 while the set is empty).
    function _currentIndex(uint256 word, uint256 count) private view returns (uint256) {
        if (count == 0) return 0;
        return ((block.number - _ORIGIN) / _WINDOW_LENGTH + (word >> _OFFSET_SHIFT)) % count;
    }

    /// @dev The scheduled leader of `l1Block`, zero before the origin or while the set is empty.
    function _leaderOf(uint256 l1Block) private view returns (address) {
        uint256 word = _state;
        uint256 count = (word >> _COUNT_SHIFT) & _U32;
        if (count == 0 || l1Block < _ORIGIN) return address(0);
        return _leaderAt[((l1Block - _ORIGIN) / _WINDOW_LENGTH + (word >> _OFFSET_SHIFT)) % count];
    }

    /// @dev The first block of `window`'s current silence: after the leader's latest post, and not before
    ///      the window's start.
    function _silenceStart(uint256 word, uint256 window) private view returns (uint256) {
        uint256 start = _ORIGIN + window * _WINDOW_LENGTH;
        uint256 afterPost = (word & _U64) + 1;
        return afterPost > start ? afterPost : start;
    }

    function _rejectBlobs() private view {
        if (blobhash(0) != bytes32(0)) revert BlobsOutsideFallback(msg.sig);
    }
}
