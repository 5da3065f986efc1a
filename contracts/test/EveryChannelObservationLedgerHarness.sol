// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EveryChannelObservationLedger} from "../EveryChannelObservationLedger.sol";
import {ObservationContent} from "../libraries/EveryChannelTypes.sol";

/// @title EveryChannelObservationLedgerHarness
/// @notice Test-only ledger whose content hash can be forced, to reach the range reserved for open-slot bitmaps
///         (a real content lands there with probability 2**-128), and whose compact fast path can be turned off,
///         to check it against the general path. Never deployed to real networks.
contract EveryChannelObservationLedgerHarness is EveryChannelObservationLedger {
    bytes32 private _forcedHash;
    bool private _generalPathOnly;

    /// @notice Creates the harness over a registry.
    /// @param registry_ The witness registry.
    constructor(address registry_) EveryChannelObservationLedger(registry_) {}

    /// @notice Makes every content hash to `forcedHash` (zero restores the real hash).
    /// @param forcedHash The hash to return.
    function forceContentHash(bytes32 forcedHash) external {
        _forcedHash = forcedHash;
    }

    /// @notice Sends every `submitCompactAttestations` item to the general path (`true`) or not.
    /// @param generalPathOnly Whether the fast path is off.
    function setGeneralPathOnly(bool generalPathOnly) external {
        _generalPathOnly = generalPathOnly;
    }

    function _fastPathEnabled() internal view override returns (bool) {
        // The fast path hashes the content itself: a forced hash is only seen by the general path.
        return !_generalPathOnly && _forcedHash == 0;
    }

    function _hashes(
        ObservationContent calldata content
    ) internal view override returns (bytes32 contentHash, bytes32 slot) {
        (contentHash, slot) = super._hashes(content);
        bytes32 forcedHash = _forcedHash;
        if (forcedHash != 0) contentHash = forcedHash;
    }
}
