// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

import {IEveryChannelWitnessRegistry} from "./interfaces/IEveryChannelWitnessRegistry.sol";

/// @title EveryChannelWitnessRegistry
/// @notice Owner-managed witness set and quorum of the every.channel observation ledger (ECP-0093).
/// @dev The whole membership lives in one storage word (`Membership`), so the ledger reads it with a single
///      SLOAD. Indices are assigned once per address and never reused (see the interface notes).
contract EveryChannelWitnessRegistry is IEveryChannelWitnessRegistry, Ownable2Step {
    /// @inheritdoc IEveryChannelWitnessRegistry
    uint256 public constant MAX_WITNESS_INDICES = 128;

    // Layout of the membership word: bits 0-127 bitmap of active witnesses by index, 128-135 number of
    // active witnesses, 136-143 quorum, 144-151 number of indices assigned.
    uint256 private constant ACTIVE_MASK = (1 << 128) - 1;
    uint256 private constant COUNT_SHIFT = 128;
    uint256 private constant QUORUM_SHIFT = 136;
    uint256 private constant ASSIGNED_SHIFT = 144;
    // `_indexPlusOne` of a key retired by `rotateWitness`: never a witness again.
    uint256 private constant RETIRED = type(uint256).max;

    /// @dev The whole membership in one word (layout above), so that the ledger reads it with one SLOAD.
    uint256 private _membership;
    mapping(address account => uint256 indexPlusOne) private _indexPlusOne;
    mapping(uint256 index => address witness) private _witnessAt;

    /// @notice Creates the registry with its owner, first witnesses and quorum.
    /// @dev Emits `WitnessAdded` per witness and `QuorumChanged(0, initialQuorum)`. Reverts like
    ///      `updateWitnessSet` (and with `OwnableInvalidOwner` for a zero owner).
    /// @param initialOwner The owner (Ownable2Step).
    /// @param initialWitnesses The first witnesses, given indices 0, 1, 2, ... in this order.
    /// @param initialQuorum The quorum.
    constructor(
        address initialOwner,
        address[] memory initialWitnesses,
        uint256 initialQuorum
    ) Ownable(initialOwner) {
        for (uint256 i = 0; i < initialWitnesses.length; ++i) {
            _add(initialWitnesses[i]);
        }
        _setQuorum(initialQuorum);
        _checkInvariants();
    }

    // ---------------------------------------------------------------------------------------------
    // Owner actions
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelWitnessRegistry
    function addWitness(address witness) external onlyOwner {
        _add(witness);
        _checkInvariants();
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function removeWitness(address witness) external onlyOwner {
        _remove(witness);
        _checkInvariants();
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function rotateWitness(address previousKey, address newKey) external onlyOwner {
        uint256 indexPlusOne = _indexPlusOne[previousKey];
        if (indexPlusOne == 0 || (_membership >> (indexPlusOne - 1)) & 1 == 0)
            revert WitnessNotActive(previousKey);
        if (newKey == address(0)) revert ZeroAddressWitness();
        uint256 newIndexPlusOne = _indexPlusOne[newKey];
        if (newIndexPlusOne == RETIRED) revert RetiredWitnessKey(newKey);
        if (newIndexPlusOne != 0) revert WitnessKeyInUse(newKey, newIndexPlusOne - 1);
        uint256 index = indexPlusOne - 1;
        _indexPlusOne[previousKey] = RETIRED;
        _indexPlusOne[newKey] = indexPlusOne;
        _witnessAt[index] = newKey;
        emit WitnessRotated(previousKey, newKey, index);
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function setQuorum(uint256 newQuorum) external onlyOwner {
        _setQuorum(newQuorum);
        _checkInvariants();
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function updateWitnessSet(
        address[] calldata toAdd,
        address[] calldata toRemove,
        uint256 newQuorum
    ) external onlyOwner {
        for (uint256 i = 0; i < toRemove.length; ++i) {
            _remove(toRemove[i]);
        }
        for (uint256 i = 0; i < toAdd.length; ++i) {
            _add(toAdd[i]);
        }
        _setQuorum(newQuorum);
        _checkInvariants();
    }

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelWitnessRegistry
    function isWitness(address account) external view returns (bool) {
        uint256 indexPlusOne = _indexPlusOne[account];
        return indexPlusOne != 0 && (_membership >> (indexPlusOne - 1)) & 1 == 1;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessIndex(address account) external view returns (uint256) {
        uint256 indexPlusOne = _indexPlusOne[account];
        if (indexPlusOne == 0) revert NeverAWitness(account);
        if (indexPlusOne == RETIRED) revert RetiredWitnessKey(account);
        return indexPlusOne - 1;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessAt(uint256 index) external view returns (address) {
        uint256 assigned = (_membership >> ASSIGNED_SHIFT) & 0xff;
        if (index >= assigned) revert UnassignedWitnessIndex(index, assigned);
        return _witnessAt[index];
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessCount() external view returns (uint256) {
        return (_membership >> COUNT_SHIFT) & 0xff;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function quorum() external view returns (uint256) {
        return (_membership >> QUORUM_SHIFT) & 0xff;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function indicesAssigned() external view returns (uint256) {
        return (_membership >> ASSIGNED_SHIFT) & 0xff;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function isRetired(address account) external view returns (bool) {
        return _indexPlusOne[account] == RETIRED;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnesses() external view returns (address[] memory list) {
        uint256 word = _membership;
        list = new address[]((word >> COUNT_SHIFT) & 0xff);
        uint256 assigned = (word >> ASSIGNED_SHIFT) & 0xff;
        uint256 found = 0;
        for (uint256 index = 0; index < assigned; ++index) {
            if ((word >> index) & 1 == 1) list[found++] = _witnessAt[index];
        }
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function membership() external view returns (uint256 activeWitnesses, uint256 currentQuorum) {
        uint256 word = _membership;
        return (word & ACTIVE_MASK, (word >> QUORUM_SHIFT) & 0xff);
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function membershipOf(
        address account
    ) external view returns (uint256 activeWitnesses, uint256 currentQuorum, bool registered, uint256 index) {
        uint256 word = _membership;
        uint256 indexPlusOne = _indexPlusOne[account];
        // Never registered (0) or retired by `rotateWitness` (RETIRED): not registered, index 0.
        bool isRegistered = indexPlusOne != 0 && indexPlusOne != RETIRED;
        unchecked {
            return (
                word & ACTIVE_MASK,
                (word >> QUORUM_SHIFT) & 0xff,
                isRegistered,
                isRegistered ? indexPlusOne - 1 : 0
            );
        }
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function version() external pure returns (string memory) {
        return "1.1.0";
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _add(address witness) private {
        if (witness == address(0)) revert ZeroAddressWitness();
        uint256 word = _membership;
        uint256 indexPlusOne = _indexPlusOne[witness];
        if (indexPlusOne == RETIRED) revert RetiredWitnessKey(witness);
        uint256 index;
        if (indexPlusOne == 0) {
            index = (word >> ASSIGNED_SHIFT) & 0xff;
            if (index == MAX_WITNESS_INDICES) revert WitnessIndicesExhausted(witness, MAX_WITNESS_INDICES);
            _indexPlusOne[witness] = index + 1;
            _witnessAt[index] = witness;
            word += 1 << ASSIGNED_SHIFT;
        } else {
            index = indexPlusOne - 1;
            if ((word >> index) & 1 == 1) revert WitnessAlreadyActive(witness);
        }
        _membership = (word | (1 << index)) + (1 << COUNT_SHIFT);
        emit WitnessAdded(witness, index);
    }

    function _remove(address witness) private {
        uint256 word = _membership;
        uint256 indexPlusOne = _indexPlusOne[witness];
        if (indexPlusOne == 0 || (word >> (indexPlusOne - 1)) & 1 == 0) revert WitnessNotActive(witness);
        uint256 index = indexPlusOne - 1;
        _membership = (word & ~(1 << index)) - (1 << COUNT_SHIFT);
        emit WitnessRemoved(witness, index);
    }

    function _setQuorum(uint256 newQuorum) private {
        uint256 word = _membership;
        uint256 previous = (word >> QUORUM_SHIFT) & 0xff;
        if (newQuorum == previous) return;
        uint256 count = (word >> COUNT_SHIFT) & 0xff;
        // The invariant check would refuse it too, but the value must fit its 8 bits before it is stored.
        if (newQuorum > MAX_WITNESS_INDICES) revert QuorumExceedsWitnessCount(newQuorum, count);
        _membership = (word & ~(uint256(0xff) << QUORUM_SHIFT)) | (newQuorum << QUORUM_SHIFT);
        emit QuorumChanged(previous, newQuorum);
    }

    function _checkInvariants() private view {
        uint256 word = _membership;
        uint256 count = (word >> COUNT_SHIFT) & 0xff;
        uint256 currentQuorum = (word >> QUORUM_SHIFT) & 0xff;
        if (currentQuorum > count) revert QuorumExceedsWitnessCount(currentQuorum, count);
        if (2 * currentQuorum <= count) revert QuorumNotStrictMajority(currentQuorum, count);
    }
}
