// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ObservationHeader} from "./EveryChannelTypes.sol";

/// @title EveryChannelHashing
/// @notice The keccak256 commitments of the canonical types, each named by its versioned id in
///         `docs/types.md`. Every function here has a TypeScript twin in `lib/commitments/` that
///         returns the same bytes; `fixtures/vectors/` pins both.
library EveryChannelHashing {
    /// @notice `ObservationHash`: keccak256(abi.encode(header)).
    /// @param header The observation header.
    /// @return The observation hash.
    function observationHash(ObservationHeader calldata header) internal pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @notice `ObservationHash` of a header held in memory.
    /// @param header The observation header.
    /// @return The observation hash.
    function observationHashMemory(ObservationHeader memory header) internal pure returns (bytes32) {
        return keccak256(abi.encode(header));
    }

    /// @notice `ObservationSlot`: keccak256(abi.encode(streamHash, epochHash)).
    /// @param streamHash The stream-id commitment of the stream.
    /// @param epochHash The epoch commitment.
    /// @return The slot key.
    function observationSlot(bytes32 streamHash, bytes32 epochHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(streamHash, epochHash));
    }
}
