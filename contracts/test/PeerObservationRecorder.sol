// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IReceiver} from "@chainlink/contracts/src/v0.8/keystone/interfaces/IReceiver.sol";

import {EveryChannelHashing} from "../libraries/EveryChannelHashing.sol";
import {ObservationHeader} from "../libraries/EveryChannelTypes.sol";

/// @title PeerObservationRecorder
/// @notice Bench-only: the least a peer co-signing system (a Safe multisig, Chainlink's
///         `KeystoneForwarder`) must call to record observations that its signers agreed on. It accepts
///         headers only from its one submitter (the Safe, or the forwarder) and, per header, does what a
///         ledger finalization does at the least: hashes the header, writes its `ObservationHash` into
///         one new storage word at its slot and emits one event. No quorum, chaining or time check of its
///         own: those are the peer's (signatures) or nobody's. Never deployed to real networks.
contract PeerObservationRecorder is IReceiver {
    /// @notice Thrown when anyone but the submitter calls.
    /// @param sender The caller.
    /// @param submitter The only account allowed to call.
    error UnauthorizedSubmitter(address sender, address submitter);

    /// @notice Thrown when a slot (stream and epoch) already holds an observation.
    /// @param slot The `ObservationSlot` of the header.
    /// @param recorded The `ObservationHash` already recorded there.
    error SlotAlreadyRecorded(bytes32 slot, bytes32 recorded);

    /// @notice Emitted for each recorded header.
    /// @param observationHash The header's `ObservationHash`.
    /// @param streamHash The header's stream.
    /// @param slot The header's `ObservationSlot`.
    /// @param sequence The header's sequence on its stream.
    event ObservationRecorded(
        bytes32 indexed observationHash,
        bytes32 indexed streamHash,
        bytes32 slot,
        uint64 sequence
    );

    address private immutable _SUBMITTER;

    mapping(bytes32 slot => bytes32 observationHash) private _recorded;

    /// @notice Creates the recorder.
    /// @param submitter_ The only account allowed to record (the Safe, or the forwarder).
    constructor(address submitter_) {
        _SUBMITTER = submitter_;
    }

    /// @notice Records `headers`; called by the submitter (a Safe's `execTransaction`).
    /// @param headers The observation headers, each in a slot not recorded yet.
    function record(ObservationHeader[] calldata headers) external {
        _onlySubmitter();
        _recordAll(headers);
    }

    /// @notice Records the headers of a Keystone report; called by the forwarder after it checked the
    ///         report's signatures.
    /// @param report The report body: `abi.encode(ObservationHeader[])`.
    function onReport(bytes calldata, bytes calldata report) external override {
        _onlySubmitter();
        _recordAll(abi.decode(report, (ObservationHeader[])));
    }

    /// @notice The submitter.
    /// @return The only account allowed to record.
    function submitter() external view returns (address) {
        return _SUBMITTER;
    }

    /// @notice The observation recorded in a slot.
    /// @param slot An `ObservationSlot`.
    /// @return observationHash The recorded `ObservationHash`, zero when none.
    function recorded(bytes32 slot) external view returns (bytes32 observationHash) {
        return _recorded[slot];
    }

    function _onlySubmitter() private view {
        if (msg.sender != _SUBMITTER) revert UnauthorizedSubmitter(msg.sender, _SUBMITTER);
    }

    function _recordAll(ObservationHeader[] memory headers) private {
        for (uint256 i = 0; i < headers.length; ++i)
            _record(
                headers[i].streamHash,
                headers[i].epochHash,
                headers[i].sequence,
                EveryChannelHashing.observationHashMemory(headers[i])
            );
    }

    function _record(
        bytes32 streamHash,
        bytes32 epochHash,
        uint64 sequence,
        bytes32 observationHash
    ) private {
        bytes32 slot = EveryChannelHashing.observationSlot(streamHash, epochHash);
        bytes32 existing = _recorded[slot];
        if (existing != bytes32(0)) revert SlotAlreadyRecorded(slot, existing);
        _recorded[slot] = observationHash;
        emit ObservationRecorded(observationHash, streamHash, slot, sequence);
    }
}
