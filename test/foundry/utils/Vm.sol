// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title Vm
/// @notice The Foundry cheatcodes the invariant suites use, declared as forge-std's `Vm` declares them (a
///         minimal subset, so that the suites need no forge-std: the npm release of it is incomplete).
interface Vm {
    /// @notice One log recorded since `recordLogs`.
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    /// @notice The address of a private key.
    function addr(uint256 privateKey) external pure returns (address);

    /// @notice A 65-byte ECDSA signature's parts over `digest`.
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);

    /// @notice An EIP-2098 compact signature over `digest`.
    function signCompact(uint256 privateKey, bytes32 digest) external pure returns (bytes32 r, bytes32 vs);

    /// @notice Sets `block.timestamp`.
    function warp(uint256 timestamp) external;

    /// @notice Makes the next call come from `sender`.
    function prank(address sender) external;

    /// @notice Starts recording every log emitted.
    function recordLogs() external;

    /// @notice The logs recorded since `recordLogs` (or the last call of this), and clears them.
    function getRecordedLogs() external returns (Log[] memory logs);

    /// @notice Names an address in traces.
    function label(address account, string calldata name) external;
}
