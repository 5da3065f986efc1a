// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "./Vm.sol";

/// @title HandlerBase
/// @notice What every handler shares: the cheatcodes, bounded inputs, a fixed pool of keys, and the ghost
///         counters of outcomes that contradict the model (`mismatches`) or reverts that are not one of the
///         contract's named errors (`unexpectedReverts`). Handlers never revert: forge runs with
///         `fail_on_revert = true`, so a handler revert would be a failure of the suite itself.
abstract contract HandlerBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice Number of private keys in the pool.
    uint256 public constant KEYS = 12;

    /// @notice Calls whose outcome (success or revert) contradicted the model.
    uint256 public mismatches;
    /// @notice What the last mismatch was.
    string public lastMismatch;
    /// @notice Reverts whose data is not one of the contract's named errors.
    uint256 public unexpectedReverts;
    /// @notice The last such revert's data.
    bytes public lastUnexpectedRevert;
    /// @notice Calls made, by outcome (for the run's statistics).
    uint256 public succeeded;
    uint256 public reverted;

    /// @dev The i-th private key of the pool.
    function _key(uint256 i) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode("every.channel/foundry/key", i % KEYS)));
    }

    /// @notice The address of the i-th key of the pool.
    function keyAddr(uint256 i) external pure returns (address) {
        return _keyAddr(i);
    }

    /// @dev The address of the i-th key.
    function _keyAddr(uint256 i) internal pure returns (address) {
        return vm.addr(_key(i));
    }

    function _bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        return min + (x % (max - min + 1));
    }

    /// @dev Counts a mismatch between the model's expectation and the call's outcome.
    function _expect(bool expectedSuccess, bool ok, string memory what) internal {
        if (ok) ++succeeded;
        else ++reverted;
        if (expectedSuccess != ok) {
            ++mismatches;
            lastMismatch = what;
        }
    }

    /// @dev Counts a revert whose selector is not in `allowed`.
    function _classify(bytes memory revertData, bytes4[] memory allowed) internal {
        bytes4 selector = revertData.length >= 4 ? bytes4(revertData) : bytes4(0);
        for (uint256 i = 0; i < allowed.length; ++i) {
            if (allowed[i] == selector && revertData.length >= 4) return;
        }
        ++unexpectedReverts;
        lastUnexpectedRevert = revertData;
    }
}
