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
    /// @notice The whole membership, packed into one storage word.
    /// @param active Bitmap of active witnesses by registry index.
    /// @param count Number of active witnesses (the population count of `active`).
    /// @param quorum Number of distinct active witnesses that finalize an observation.
    /// @param indicesAssigned Number of registry indices assigned so far (0 to `MAX_WITNESS_INDICES`).
    struct Membership {
        uint128 active;
        uint8 count;
        uint8 quorum;
        uint8 indicesAssigned;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    uint256 public constant MAX_WITNESS_INDICES = 128;

    Membership private _membership;
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
        return indexPlusOne != 0 && (uint256(_membership.active) >> (indexPlusOne - 1)) & 1 == 1;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessIndex(address account) external view returns (uint256) {
        uint256 indexPlusOne = _indexPlusOne[account];
        if (indexPlusOne == 0) revert NeverAWitness(account);
        return indexPlusOne - 1;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessAt(uint256 index) external view returns (address) {
        uint256 assigned = _membership.indicesAssigned;
        if (index >= assigned) revert UnassignedWitnessIndex(index, assigned);
        return _witnessAt[index];
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnessCount() external view returns (uint256) {
        return _membership.count;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function quorum() external view returns (uint256) {
        return _membership.quorum;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function indicesAssigned() external view returns (uint256) {
        return _membership.indicesAssigned;
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function witnesses() external view returns (address[] memory list) {
        Membership memory m = _membership;
        list = new address[](m.count);
        uint256 found = 0;
        for (uint256 index = 0; index < m.indicesAssigned; ++index) {
            if ((uint256(m.active) >> index) & 1 == 1) {
                list[found++] = _witnessAt[index];
            }
        }
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function membership() external view returns (uint256 activeWitnesses, uint256 currentQuorum) {
        Membership memory m = _membership;
        return (m.active, m.quorum);
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function membershipOf(
        address account
    ) external view returns (uint256 activeWitnesses, uint256 currentQuorum, bool registered, uint256 index) {
        Membership memory m = _membership;
        uint256 indexPlusOne = _indexPlusOne[account];
        if (indexPlusOne != 0) {
            registered = true;
            index = indexPlusOne - 1;
        }
        return (m.active, m.quorum, registered, index);
    }

    /// @inheritdoc IEveryChannelWitnessRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    function _add(address witness) private {
        if (witness == address(0)) revert ZeroAddressWitness();
        Membership memory m = _membership;
        uint256 indexPlusOne = _indexPlusOne[witness];
        uint256 index;
        if (indexPlusOne == 0) {
            index = m.indicesAssigned;
            if (index == MAX_WITNESS_INDICES) revert WitnessIndicesExhausted(witness, MAX_WITNESS_INDICES);
            _indexPlusOne[witness] = index + 1;
            _witnessAt[index] = witness;
            m.indicesAssigned = uint8(index + 1);
        } else {
            index = indexPlusOne - 1;
            if ((uint256(m.active) >> index) & 1 == 1) revert WitnessAlreadyActive(witness);
        }
        m.active |= uint128(1 << index);
        ++m.count;
        _membership = m;
        emit WitnessAdded(witness, index);
    }

    function _remove(address witness) private {
        Membership memory m = _membership;
        uint256 indexPlusOne = _indexPlusOne[witness];
        if (indexPlusOne == 0 || (uint256(m.active) >> (indexPlusOne - 1)) & 1 == 0) {
            revert WitnessNotActive(witness);
        }
        uint256 index = indexPlusOne - 1;
        m.active &= ~uint128(1 << index);
        --m.count;
        _membership = m;
        emit WitnessRemoved(witness, index);
    }

    function _setQuorum(uint256 newQuorum) private {
        uint256 previous = _membership.quorum;
        if (newQuorum == previous) return;
        // Checked against the witness count below; a value above MAX_WITNESS_INDICES can never pass it.
        if (newQuorum > MAX_WITNESS_INDICES) revert QuorumExceedsWitnessCount(newQuorum, _membership.count);
        _membership.quorum = uint8(newQuorum);
        emit QuorumChanged(previous, newQuorum);
    }

    function _checkInvariants() private view {
        Membership memory m = _membership;
        if (m.quorum > m.count) revert QuorumExceedsWitnessCount(m.quorum, m.count);
        if (2 * uint256(m.quorum) <= m.count) revert QuorumNotStrictMajority(m.quorum, m.count);
    }
}
