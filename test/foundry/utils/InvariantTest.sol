// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Vm} from "./Vm.sol";

/// @title InvariantTest
/// @notice What forge's invariant runner reads from a test contract (the `target*` hooks of forge-std's
///         `StdInvariant`) and the checks the suites' `invariant_*` functions make. A failed check reverts
///         with `InvariantViolated(what, left, right)`, which forge reports with the call sequence that led
///         to it.
abstract contract InvariantTest {
    /// @notice A target contract and the functions of it the fuzzer calls.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @notice An invariant check failed: `what` with the two values compared.
    error InvariantViolated(string what, uint256 left, uint256 right);

    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;

    /// @notice The contracts the fuzzer calls (read by forge).
    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    /// @notice The functions the fuzzer calls (read by forge).
    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    /// @dev The fuzzer calls `selectors` of `target`, and nothing else of it.
    function _targetSelectors_(address target, bytes4[] memory selectors) internal {
        _targetContracts.push(target);
        _targetSelectors.push(FuzzSelector(target, selectors));
    }

    function _check(bool condition, string memory what) internal pure {
        if (!condition) revert InvariantViolated(what, 0, 1);
    }

    function _checkEq(uint256 left, uint256 right, string memory what) internal pure {
        if (left != right) revert InvariantViolated(what, left, right);
    }

    function _checkEq(bytes32 left, bytes32 right, string memory what) internal pure {
        if (left != right) revert InvariantViolated(what, uint256(left), uint256(right));
    }

    function _checkEq(address left, address right, string memory what) internal pure {
        if (left != right) revert InvariantViolated(what, uint160(left), uint160(right));
    }

    function _checkLe(uint256 left, uint256 right, string memory what) internal pure {
        if (left > right) revert InvariantViolated(what, left, right);
    }
}
