// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {ManifestBody, StreamKey} from "./libraries/EveryChannelTypes.sol";
import {EveryChannelHashing} from "./libraries/EveryChannelHashing.sol";
import {EveryChannelManifestTypedData} from "./libraries/EveryChannelManifestTypedData.sol";
import {
    IEveryChannelRail,
    ManifestPointer,
    AnnouncementPointer,
    StoredManifestPointer,
    StoredAnnouncementPointer
} from "./interfaces/IEveryChannelRail.sol";

/// @title EveryChannelRail
/// @notice Latest compact manifest and transport-announcement pointers of every.channel streams, moved only
///         with each stream's publisher's authority. Specified in `docs/rail.md`.
contract EveryChannelRail is IEveryChannelRail, EIP712, Nonces {
    /// @dev Who may move a stream's pointers, and who may take over. Two storage words.
    struct StreamAuthority {
        address publisher;
        address pendingPublisher;
    }

    // ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,
    //   bytes32 dataRoot,bytes32 manifestId,uint64 revision)
    bytes32 private constant _MANIFEST_POINTER_TYPEHASH =
        keccak256(
            "ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
        );

    // AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)
    bytes32 private constant _ANNOUNCEMENT_POINTER_TYPEHASH =
        keccak256(
            "AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)"
        );

    // ClaimStream(bytes32 streamId,address publisher,uint256 nonce,uint256 deadline)
    bytes32 private constant _CLAIM_STREAM_TYPEHASH =
        keccak256("ClaimStream(bytes32 streamId,address publisher,uint256 nonce,uint256 deadline)");

    // PublishManifest(address publisher,ManifestPointer pointer,uint256 nonce,uint256 deadline)ManifestPointer(...)
    bytes32 private constant _PUBLISH_MANIFEST_TYPEHASH =
        keccak256(
            "PublishManifest(address publisher,ManifestPointer pointer,uint256 nonce,uint256 deadline)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
        );

    // PublishAnnouncement(address publisher,AnnouncementPointer pointer,uint256 nonce,uint256 deadline)
    //   AnnouncementPointer(...)
    bytes32 private constant _PUBLISH_ANNOUNCEMENT_TYPEHASH =
        keccak256(
            "PublishAnnouncement(address publisher,AnnouncementPointer pointer,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)"
        );

    // PublishBatch(address publisher,ManifestPointer[] manifests,AnnouncementPointer[] announcements,uint256 nonce,
    //   uint256 deadline)AnnouncementPointer(...)ManifestPointer(...)
    bytes32 private constant _PUBLISH_BATCH_TYPEHASH =
        keccak256(
            "PublishBatch(address publisher,ManifestPointer[] manifests,AnnouncementPointer[] announcements,uint256 nonce,uint256 deadline)AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)"
        );

    mapping(bytes32 streamId => StreamAuthority authority) private _streams;
    mapping(bytes32 streamId => mapping(uint64 epochId => StoredManifestPointer pointer)) private _manifests;
    mapping(bytes32 streamId => StoredAnnouncementPointer pointer) private _announcements;

    constructor() EIP712("EveryChannelRail", "1") {}

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelRail
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    /// @inheritdoc IEveryChannelRail
    function publisherOf(bytes32 streamId) external view returns (address) {
        return _streams[streamId].publisher;
    }

    /// @inheritdoc IEveryChannelRail
    function pendingPublisherOf(bytes32 streamId) external view returns (address) {
        return _streams[streamId].pendingPublisher;
    }

    /// @inheritdoc IEveryChannelRail
    function latestManifest(
        bytes32 streamId,
        uint64 epochId
    ) external view returns (StoredManifestPointer memory) {
        return _manifests[streamId][epochId];
    }

    /// @inheritdoc IEveryChannelRail
    function latestAnnouncement(bytes32 streamId) external view returns (StoredAnnouncementPointer memory) {
        return _announcements[streamId];
    }

    /// @inheritdoc IEveryChannelRail
    function manifestBodyDigest(ManifestBody calldata body) public view returns (bytes32) {
        return _hashTypedDataV4(EveryChannelManifestTypedData.hashManifestBody(body));
    }

    /// @inheritdoc IEveryChannelRail
    function verifyManifestSignature(
        ManifestBody calldata body,
        address signer,
        bytes calldata signature
    ) external view returns (bool) {
        return SignatureChecker.isValidSignatureNow(signer, manifestBodyDigest(body), signature);
    }

    /// @inheritdoc IEveryChannelRail
    function nonces(address account) public view override(IEveryChannelRail, Nonces) returns (uint256) {
        return super.nonces(account);
    }

    // ---------------------------------------------------------------------------------------------
    // Publisher model
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelRail
    function claimStream(StreamKey calldata key) external returns (bytes32 streamId) {
        streamId = EveryChannelHashing.streamId(key);
        _claim(streamId, msg.sender, key);
    }

    /// @inheritdoc IEveryChannelRail
    function claimStreamWithSig(
        StreamKey calldata key,
        address publisher,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 streamId) {
        _checkDeadline(deadline);
        streamId = EveryChannelHashing.streamId(key);
        _useSignature(
            publisher,
            nonce,
            keccak256(abi.encode(_CLAIM_STREAM_TYPEHASH, streamId, publisher, nonce, deadline)),
            signature
        );
        _claim(streamId, publisher, key);
    }

    /// @inheritdoc IEveryChannelRail
    function proposePublisher(bytes32 streamId, address newPublisher) external {
        _requirePublisher(streamId, msg.sender);
        _streams[streamId].pendingPublisher = newPublisher;
        emit PublisherProposed(streamId, msg.sender, newPublisher);
    }

    /// @inheritdoc IEveryChannelRail
    function acceptPublisher(bytes32 streamId) external {
        StreamAuthority storage authority = _streams[streamId];
        address pending = authority.pendingPublisher;
        // msg.sender is never zero, so this also rejects acceptance when nothing is pending.
        if (pending != msg.sender) {
            revert NotPendingPublisher(streamId, msg.sender, pending);
        }
        address previous = authority.publisher;
        authority.publisher = pending;
        authority.pendingPublisher = address(0);
        emit PublisherRotated(streamId, previous, pending);
    }

    /// @inheritdoc IEveryChannelRail
    function cancelNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceUsed(msg.sender, nonce);
    }

    // ---------------------------------------------------------------------------------------------
    // Pointer updates
    // ---------------------------------------------------------------------------------------------

    /// @inheritdoc IEveryChannelRail
    function publishManifest(ManifestPointer calldata pointer) external {
        _publishManifest(msg.sender, pointer);
    }

    /// @inheritdoc IEveryChannelRail
    function publishManifestWithSig(
        address publisher,
        ManifestPointer calldata pointer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        _requirePublisher(pointer.streamId, publisher);
        _useSignature(
            publisher,
            nonce,
            keccak256(
                abi.encode(
                    _PUBLISH_MANIFEST_TYPEHASH,
                    publisher,
                    _hashManifestPointer(pointer),
                    nonce,
                    deadline
                )
            ),
            signature
        );
        _publishManifest(publisher, pointer);
    }

    /// @inheritdoc IEveryChannelRail
    function publishAnnouncement(AnnouncementPointer calldata pointer) external {
        _publishAnnouncement(msg.sender, pointer);
    }

    /// @inheritdoc IEveryChannelRail
    function publishAnnouncementWithSig(
        address publisher,
        AnnouncementPointer calldata pointer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        _requirePublisher(pointer.streamId, publisher);
        _useSignature(
            publisher,
            nonce,
            keccak256(
                abi.encode(
                    _PUBLISH_ANNOUNCEMENT_TYPEHASH,
                    publisher,
                    _hashAnnouncementPointer(pointer),
                    nonce,
                    deadline
                )
            ),
            signature
        );
        _publishAnnouncement(publisher, pointer);
    }

    /// @inheritdoc IEveryChannelRail
    function publishBatch(
        ManifestPointer[] calldata manifests,
        AnnouncementPointer[] calldata announcements
    ) external {
        _publishBatch(msg.sender, manifests, announcements);
    }

    /// @inheritdoc IEveryChannelRail
    function publishBatchWithSig(
        address publisher,
        ManifestPointer[] calldata manifests,
        AnnouncementPointer[] calldata announcements,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external {
        _checkDeadline(deadline);
        _useSignature(
            publisher,
            nonce,
            keccak256(
                abi.encode(
                    _PUBLISH_BATCH_TYPEHASH,
                    publisher,
                    _hashManifestPointers(manifests),
                    _hashAnnouncementPointers(announcements),
                    nonce,
                    deadline
                )
            ),
            signature
        );
        _publishBatch(publisher, manifests, announcements);
    }

    // ---------------------------------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------------------------------

    /// @dev The current time; overridable in tests.
    function _time() internal view virtual returns (uint256) {
        return block.timestamp;
    }

    function _claim(bytes32 streamId, address publisher, StreamKey calldata key) private {
        StreamAuthority storage authority = _streams[streamId];
        address current = authority.publisher;
        if (current != address(0)) revert StreamAlreadyClaimed(streamId, current);
        authority.publisher = publisher;
        emit StreamClaimed(streamId, publisher, key);
    }

    function _requirePublisher(bytes32 streamId, address account) private view {
        address publisher = _streams[streamId].publisher;
        if (publisher == address(0)) revert StreamNotClaimed(streamId);
        if (publisher != account) revert NotPublisher(streamId, account, publisher);
    }

    function _checkDeadline(uint256 deadline) private view {
        uint256 time = _time();
        if (time > deadline) revert SignatureExpired(deadline, time);
    }

    /// @dev Consumes `nonce` of `signer` and checks its signature over the typed struct `structHash`.
    function _useSignature(
        address signer,
        uint256 nonce,
        bytes32 structHash,
        bytes calldata signature
    ) private {
        _useCheckedNonce(signer, nonce);
        bytes32 digest = _hashTypedDataV4(structHash);
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
            revert InvalidSignature(signer, digest);
        }
        emit NonceUsed(signer, nonce);
    }

    function _publishManifest(address publisher, ManifestPointer calldata pointer) private {
        bytes32 streamId = pointer.streamId;
        uint64 epochId = pointer.epochId;
        _requirePublisher(streamId, publisher);
        if (pointer.manifestBodyHash == bytes32(0)) revert ZeroManifestBodyHash(streamId, epochId);
        StoredManifestPointer storage stored = _manifests[streamId][epochId];
        uint64 latest = stored.revision;
        if (stored.manifestBodyHash != bytes32(0) && pointer.revision <= latest) {
            revert StaleManifestRevision(streamId, epochId, pointer.revision, latest);
        }
        stored.manifestBodyHash = pointer.manifestBodyHash;
        stored.revision = pointer.revision;
        stored.updatedAt = uint64(_time());
        emit ManifestPublished(
            streamId,
            epochId,
            publisher,
            pointer.manifestBodyHash,
            pointer.manifestEnvelopeHash,
            pointer.dataRoot,
            pointer.manifestId,
            pointer.revision
        );
    }

    function _publishAnnouncement(address publisher, AnnouncementPointer calldata pointer) private {
        bytes32 streamId = pointer.streamId;
        _requirePublisher(streamId, publisher);
        if (pointer.announcementHash == bytes32(0)) revert ZeroAnnouncementHash(streamId);
        StoredAnnouncementPointer storage stored = _announcements[streamId];
        uint64 latest = stored.sequence;
        if (stored.announcementHash != bytes32(0) && pointer.sequence <= latest) {
            revert StaleAnnouncementSequence(streamId, pointer.sequence, latest);
        }
        stored.announcementHash = pointer.announcementHash;
        stored.sequence = pointer.sequence;
        stored.updatedAt = uint64(_time());
        emit AnnouncementPublished(
            streamId,
            publisher,
            pointer.announcementHash,
            pointer.descriptorHash,
            pointer.sequence
        );
    }

    function _publishBatch(
        address publisher,
        ManifestPointer[] calldata manifests,
        AnnouncementPointer[] calldata announcements
    ) private {
        uint256 manifestCount = manifests.length;
        uint256 announcementCount = announcements.length;
        if (manifestCount == 0 && announcementCount == 0) revert EmptyBatch();
        for (uint256 i = 0; i < manifestCount; ++i) {
            _publishManifest(publisher, manifests[i]);
        }
        for (uint256 i = 0; i < announcementCount; ++i) {
            _publishAnnouncement(publisher, announcements[i]);
        }
    }

    function _hashManifestPointer(ManifestPointer calldata pointer) private pure returns (bytes32) {
        return keccak256(abi.encode(_MANIFEST_POINTER_TYPEHASH, pointer));
    }

    function _hashAnnouncementPointer(AnnouncementPointer calldata pointer) private pure returns (bytes32) {
        return keccak256(abi.encode(_ANNOUNCEMENT_POINTER_TYPEHASH, pointer));
    }

    /// @dev EIP-712 `encodeData` of an array of structs: keccak256 of the concatenated struct hashes.
    function _hashManifestPointers(ManifestPointer[] calldata pointers) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](pointers.length);
        for (uint256 i = 0; i < pointers.length; ++i) {
            hashes[i] = _hashManifestPointer(pointers[i]);
        }
        return keccak256(abi.encodePacked(hashes));
    }

    function _hashAnnouncementPointers(
        AnnouncementPointer[] calldata pointers
    ) private pure returns (bytes32) {
        bytes32[] memory hashes = new bytes32[](pointers.length);
        for (uint256 i = 0; i < pointers.length; ++i) {
            hashes[i] = _hashAnnouncementPointer(pointers[i]);
        }
        return keccak256(abi.encodePacked(hashes));
    }
}
