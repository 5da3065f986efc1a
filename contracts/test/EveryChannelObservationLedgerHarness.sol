// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EveryChannelObservationLedger} from "../EveryChannelObservationLedger.sol";
import {ObservationHeader} from "../libraries/EveryChannelTypes.sol";

/// @title EveryChannelObservationLedgerHarness
/// @notice Test-only ledger whose observation hash can be forced, to reach the range reserved for open-slot
///         bitmaps (a real header lands there with probability 2**-128), and whose compact fast path can be
///         turned off, to check it against the general path. Never deployed to real networks.
contract EveryChannelObservationLedgerHarness is EveryChannelObservationLedger {
    bytes32 private _forcedHash;
    bool private _generalPathOnly;

    /// @notice Creates the harness over a registry.
    /// @param registry_ The witness registry.
    constructor(address registry_) EveryChannelObservationLedger(registry_) {}

    /// @notice Makes every header hash to `forcedHash` (zero restores the real hash).
    /// @param forcedHash The hash to return.
    function forceObservationHash(bytes32 forcedHash) external {
        _forcedHash = forcedHash;
    }

    /// @notice Sends every `submitCompactAttestations` item to the general path (`true`) or not.
    /// @param generalPathOnly Whether the fast path is off.
    function setGeneralPathOnly(bool generalPathOnly) external {
        _generalPathOnly = generalPathOnly;
    }

    function _submitCompactFast(
        ObservationHeader calldata header,
        uint256 at,
        uint256 end,
        MembershipCache memory cache,
        CompactBatch memory batch
    ) internal override returns (uint256) {
        // The fast path hashes the header itself: a forced hash is only seen by the general path.
        if (_generalPathOnly || _forcedHash != 0) return NOT_HANDLED;
        return super._submitCompactFast(header, at, end, cache, batch);
    }

    function _hashes(
        ObservationHeader calldata header
    ) internal view override returns (bytes32 observationHash, bytes32 slot) {
        (observationHash, slot) = super._hashes(header);
        bytes32 forcedHash = _forcedHash;
        if (forcedHash != 0) observationHash = forcedHash;
    }
}
