// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EveryChannelObservationLedger} from "../EveryChannelObservationLedger.sol";
import {ObservationHeader} from "../libraries/EveryChannelTypes.sol";

/// @title EveryChannelObservationLedgerHarness
/// @notice Test-only ledger whose observation hash can be forced, to reach the range reserved for open-slot
///         bitmaps (a real header lands there with probability 2**-128). Never deployed to real networks.
contract EveryChannelObservationLedgerHarness is EveryChannelObservationLedger {
    bytes32 private _forcedHash;

    /// @notice Creates the harness over a registry.
    /// @param registry_ The witness registry.
    constructor(address registry_) EveryChannelObservationLedger(registry_) {}

    /// @notice Makes every header hash to `forcedHash` (zero restores the real hash).
    /// @param forcedHash The hash to return.
    function forceObservationHash(bytes32 forcedHash) external {
        _forcedHash = forcedHash;
    }

    function _hashes(
        ObservationHeader calldata header
    ) internal view override returns (bytes32 observationHash, bytes32 slot) {
        (observationHash, slot) = super._hashes(header);
        bytes32 forcedHash = _forcedHash;
        if (forcedHash != 0) observationHash = forcedHash;
    }
}
