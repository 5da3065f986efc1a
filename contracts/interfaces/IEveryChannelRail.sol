// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC5267} from "@openzeppelin/contracts/interfaces/IERC5267.sol";

import {ManifestBody, StreamKey} from "../libraries/EveryChannelTypes.sol";

// Calldata and EIP-712 shape, never a storage layout: field order follows the manifest, not packing.
// solhint-disable gas-struct-packing
/// @notice A manifest pointer update: the commitments of one manifest of one epoch of one stream.
/// @dev EIP-712 type string:
///      `ManifestPointer(bytes32 streamId,uint64 epochId,bytes32 manifestBodyHash,bytes32 manifestEnvelopeHash,bytes32 dataRoot,bytes32 manifestId,uint64 revision)`.
/// @param streamId `stream-id-keccak256-v1` of the stream.
/// @param epochId Epoch number on the broadcast clock.
/// @param manifestBodyHash `manifest-body-abi-keccak256-v1` of the manifest body; never zero.
/// @param manifestEnvelopeHash `manifest-envelope-abi-keccak256-v1` of the signed manifest.
/// @param dataRoot `manifest-data-merkle-keccak256-v1` root over the epoch's chunk hashes.
/// @param manifestId The local BLAKE3 `manifest_id` of the manifest body.
/// @param revision The publisher's revision of this epoch's manifest; strictly greater than the stored one.
struct ManifestPointer {
    bytes32 streamId;
    uint64 epochId;
    bytes32 manifestBodyHash;
    bytes32 manifestEnvelopeHash;
    bytes32 dataRoot;
    bytes32 manifestId;
    uint64 revision;
}

/// @notice A transport-announcement pointer update.
/// @dev EIP-712 type string:
///      `AnnouncementPointer(bytes32 streamId,bytes32 announcementHash,bytes32 descriptorHash,uint64 sequence)`.
/// @param streamId `stream-id-keccak256-v1` of the stream.
/// @param announcementHash `control-announcement-abi-keccak256-v1` of the announcement; never zero.
/// @param descriptorHash `stream-descriptor-abi-keccak256-v1` of the descriptor the announcement serves.
/// @param sequence The announcement's sequence number; strictly greater than the stored one.
struct AnnouncementPointer {
    bytes32 streamId;
    bytes32 announcementHash;
    bytes32 descriptorHash;
    uint64 sequence;
}

/// @notice The stored latest manifest pointer of one (stream, epoch): two storage words.
/// @param manifestBodyHash `manifest-body-abi-keccak256-v1` of the latest manifest body; zero when none.
/// @param revision Revision of the latest manifest.
/// @param updatedAt Time (seconds since the Unix epoch) of the block that stored it.
struct StoredManifestPointer {
    bytes32 manifestBodyHash;
    uint64 revision;
    uint64 updatedAt;
}

/// @notice The stored latest transport-announcement pointer of one stream: two storage words.
/// @param announcementHash `control-announcement-abi-keccak256-v1` of the latest announcement; zero when none.
/// @param sequence Sequence number of the latest announcement.
/// @param updatedAt Time (seconds since the Unix epoch) of the block that stored it.
struct StoredAnnouncementPointer {
    bytes32 announcementHash;
    uint64 sequence;
    uint64 updatedAt;
}

/// @title IEveryChannelRail
/// @notice The every.channel settlement rail (ECP-0092): the latest manifest pointer per (stream id, epoch id)
///         and the latest transport-announcement pointer per stream id, as commitment hashes only. Every
///         change emits an event carrying every commitment, so the full history is rebuilt from logs alone.
///
///         Authority: a stream's pointers move only with its publisher's authority. A stream gets its
///         publisher by a first claim naming its full `StreamKey` (the id is computed on chain); the
///         publisher either sends the transaction or signs an EIP-712 message (domain
///         `EveryChannelRail`, version "1", read through ERC-5267 `eip712Domain()`) that anyone relays.
///         Signed messages carry the publisher's sequential nonce (`nonces`) and a deadline; the publisher
///         cancels an unused signature with `cancelNonce`. The publisher rotates its key in two steps:
///         `proposePublisher` by the current key, `acceptPublisher` by the new key. Signatures are checked
///         with OpenZeppelin `SignatureChecker`: EOA (ECDSA) and ERC-1271 contract publishers.
///
///         Relayed calls check, in order: deadline; for single-pointer updates, stream claimed and
///         publisher authority; nonce (`InvalidAccountNonce(account, currentNonce)` from OpenZeppelin
///         `Nonces`); signature; then, for batches, each pointer's stream and publisher, and for claims,
///         that the stream is unclaimed. The ordering rules of the pointers come last.
/// @dev EIP-712 message type strings (struct types referenced are appended as in EIP-712):
///      `ClaimStream(bytes32 streamId,address publisher,uint256 nonce,uint256 deadline)`
///      `PublishManifest(address publisher,ManifestPointer pointer,uint256 nonce,uint256 deadline)ManifestPointer(...)`
///      `PublishAnnouncement(address publisher,AnnouncementPointer pointer,uint256 nonce,uint256 deadline)AnnouncementPointer(...)`
///      `PublishBatch(address publisher,ManifestPointer[] manifests,AnnouncementPointer[] announcements,uint256 nonce,uint256 deadline)AnnouncementPointer(...)ManifestPointer(...)`
///      Full strings in `docs/rail.md`.
interface IEveryChannelRail is IERC5267 {
    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown when claiming a stream that already has a publisher.
    /// @param streamId The stream.
    /// @param publisher Its current publisher.
    error StreamAlreadyClaimed(bytes32 streamId, address publisher);

    /// @notice Thrown when acting on a stream nobody has claimed.
    /// @param streamId The stream.
    error StreamNotClaimed(bytes32 streamId);

    /// @notice Thrown when an account that is not the stream's publisher tries to act for it.
    /// @param streamId The stream.
    /// @param account The caller (direct paths) or the named signer (relayed paths).
    /// @param publisher The stream's current publisher.
    error NotPublisher(bytes32 streamId, address account, address publisher);

    /// @notice Thrown when an account that is not the proposed publisher accepts a rotation.
    /// @param streamId The stream.
    /// @param account The caller.
    /// @param pendingPublisher The proposed publisher (zero when no rotation is pending).
    error NotPendingPublisher(bytes32 streamId, address account, address pendingPublisher);

    /// @notice Thrown when a manifest pointer's revision is not above the stored one (stale or replayed).
    /// @param streamId The stream.
    /// @param epochId The epoch.
    /// @param revision The submitted revision.
    /// @param latestRevision The stored revision.
    error StaleManifestRevision(bytes32 streamId, uint64 epochId, uint64 revision, uint64 latestRevision);

    /// @notice Thrown when an announcement pointer's sequence is not above the stored one (stale or replayed).
    /// @param streamId The stream.
    /// @param sequence The submitted sequence.
    /// @param latestSequence The stored sequence.
    error StaleAnnouncementSequence(bytes32 streamId, uint64 sequence, uint64 latestSequence);

    /// @notice Thrown when a manifest pointer carries a zero manifest body hash.
    /// @param streamId The stream.
    /// @param epochId The epoch.
    error ZeroManifestBodyHash(bytes32 streamId, uint64 epochId);

    /// @notice Thrown when an announcement pointer carries a zero announcement hash.
    /// @param streamId The stream.
    error ZeroAnnouncementHash(bytes32 streamId);

    /// @notice Thrown when a batch carries no pointer at all.
    error EmptyBatch();

    /// @notice Thrown when a signed message is relayed after its deadline.
    /// @param deadline The signed deadline (seconds since the Unix epoch).
    /// @param time The current block time.
    error SignatureExpired(uint256 deadline, uint256 time);

    /// @notice Thrown when a signature does not verify for the named signer (EOA or ERC-1271).
    /// @param signer The account the signature was checked against.
    /// @param digest The EIP-712 digest that was checked.
    error InvalidSignature(address signer, bytes32 digest);

    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Emitted when a stream gets its first publisher.
    /// @param streamId `stream-id-keccak256-v1` of `key`.
    /// @param publisher The publisher.
    /// @param key The full stream key, so indexers learn the id's preimage.
    event StreamClaimed(bytes32 indexed streamId, address indexed publisher, StreamKey key);

    /// @notice Emitted when the publisher proposes a new publisher key (zero cancels a proposal).
    /// @param streamId The stream.
    /// @param publisher The current publisher.
    /// @param pendingPublisher The proposed publisher; zero when the proposal is withdrawn.
    event PublisherProposed(
        bytes32 indexed streamId,
        address indexed publisher,
        address indexed pendingPublisher
    );

    /// @notice Emitted when a proposed publisher accepts and becomes the stream's publisher.
    /// @param streamId The stream.
    /// @param previousPublisher The publisher before the rotation.
    /// @param newPublisher The publisher after the rotation.
    event PublisherRotated(
        bytes32 indexed streamId,
        address indexed previousPublisher,
        address indexed newPublisher
    );

    /// @notice Emitted when a manifest pointer moves. Carries every commitment of the manifest.
    /// @param streamId The stream.
    /// @param epochId The epoch.
    /// @param publisher The publisher whose authority moved the pointer.
    /// @param manifestBodyHash `manifest-body-abi-keccak256-v1`.
    /// @param manifestEnvelopeHash `manifest-envelope-abi-keccak256-v1`.
    /// @param dataRoot `manifest-data-merkle-keccak256-v1`.
    /// @param manifestId The local BLAKE3 `manifest_id`.
    /// @param revision The new revision.
    event ManifestPublished(
        bytes32 indexed streamId,
        uint64 indexed epochId,
        address indexed publisher,
        bytes32 manifestBodyHash,
        bytes32 manifestEnvelopeHash,
        bytes32 dataRoot,
        bytes32 manifestId,
        uint64 revision
    );

    /// @notice Emitted when a transport-announcement pointer moves.
    /// @param streamId The stream.
    /// @param publisher The publisher whose authority moved the pointer.
    /// @param announcementHash `control-announcement-abi-keccak256-v1`.
    /// @param descriptorHash `stream-descriptor-abi-keccak256-v1` of the served descriptor.
    /// @param sequence The new sequence.
    event AnnouncementPublished(
        bytes32 indexed streamId,
        address indexed publisher,
        bytes32 announcementHash,
        bytes32 descriptorHash,
        uint64 sequence
    );

    /// @notice Emitted when a nonce is consumed, by a relayed message or by `cancelNonce`.
    /// @param account The account whose nonce was consumed.
    /// @param nonce The consumed nonce.
    event NonceUsed(address indexed account, uint256 nonce);

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The contract's semantic version.
    /// @return The version string ("MAJOR.MINOR.PATCH").
    function version() external view returns (string memory);

    /// @notice The publisher of a stream.
    /// @param streamId The stream.
    /// @return The publisher; zero when the stream is unclaimed.
    function publisherOf(bytes32 streamId) external view returns (address);

    /// @notice The proposed next publisher of a stream.
    /// @param streamId The stream.
    /// @return The proposed publisher; zero when no rotation is pending.
    function pendingPublisherOf(bytes32 streamId) external view returns (address);

    /// @notice The latest manifest pointer of a (stream, epoch).
    /// @param streamId The stream.
    /// @param epochId The epoch.
    /// @return The stored pointer; all zero when none.
    function latestManifest(
        bytes32 streamId,
        uint64 epochId
    ) external view returns (StoredManifestPointer memory);

    /// @notice The latest transport-announcement pointer of a stream.
    /// @param streamId The stream.
    /// @return The stored pointer; all zero when none.
    function latestAnnouncement(bytes32 streamId) external view returns (StoredAnnouncementPointer memory);

    /// @notice The EIP-712 digest of a manifest body under the rail's domain: what a secp256k1 manifest
    ///         signature (scheme `SIGNATURE_SCHEME_EIP712_SECP256K1`) signs. The struct hash is
    ///         `EveryChannelManifestTypedData.hashManifestBody`; the domain is this contract's
    ///         (`eip712Domain()`).
    /// @param body The manifest body.
    /// @return The digest.
    function manifestBodyDigest(ManifestBody calldata body) external view returns (bytes32);

    /// @notice Whether `signature` is `signer`'s EIP-712 signature over `body` under the rail's domain:
    ///         ECDSA for an EOA, ERC-1271 `isValidSignature` for a contract signer. Never reverts on a
    ///         malformed signature; returns false.
    /// @param body The signed manifest body.
    /// @param signer The claimed signer.
    /// @param signature The signature bytes.
    /// @return True when the signature is valid now.
    function verifyManifestSignature(
        ManifestBody calldata body,
        address signer,
        bytes calldata signature
    ) external view returns (bool);

    /// @notice The next unused nonce of an account, for its next signed message.
    /// @param account The account.
    /// @return The nonce.
    function nonces(address account) external view returns (uint256);

    // ---------------------------------------------------------------------------------------------
    // Publisher model
    // ---------------------------------------------------------------------------------------------

    /// @notice Claims an unclaimed stream for the caller, who becomes its publisher.
    /// @dev First come, first served. The id is `keccak256(abi.encode(key))`, so only streams somebody can
    ///      name are claimable. Emits `StreamClaimed`.
    /// @param key The full stream key.
    /// @return streamId The claimed stream's id.
    function claimStream(StreamKey calldata key) external returns (bytes32 streamId);

    /// @notice Claims an unclaimed stream for `publisher`, authorized by its EIP-712 `ClaimStream` signature.
    /// @dev Anyone may relay. Consumes `nonce`. Emits `NonceUsed` and `StreamClaimed`.
    /// @param key The full stream key.
    /// @param publisher The publisher that signed.
    /// @param nonce The publisher's current nonce.
    /// @param deadline Last valid block time (seconds).
    /// @param signature The publisher's signature (65-byte ECDSA or anything its ERC-1271 wallet accepts).
    /// @return streamId The claimed stream's id.
    function claimStreamWithSig(
        StreamKey calldata key,
        address publisher,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 streamId);

    /// @notice Proposes a new publisher for a stream; only the current publisher may call. The new key
    ///         takes over when it calls `acceptPublisher`. Proposing zero withdraws a pending proposal.
    /// @dev Emits `PublisherProposed`.
    /// @param streamId The stream.
    /// @param newPublisher The proposed publisher, or zero.
    function proposePublisher(bytes32 streamId, address newPublisher) external;

    /// @notice Accepts a pending rotation; only the proposed publisher may call.
    /// @dev Emits `PublisherRotated`.
    /// @param streamId The stream.
    function acceptPublisher(bytes32 streamId) external;

    /// @notice Invalidates the caller's current nonce, and with it every signature made with it.
    /// @dev Emits `NonceUsed`.
    /// @return nonce The cancelled nonce.
    function cancelNonce() external returns (uint256 nonce);

    // ---------------------------------------------------------------------------------------------
    // Pointer updates
    // ---------------------------------------------------------------------------------------------

    /// @notice Moves a manifest pointer; only the stream's publisher may call.
    /// @dev Reverts unless `pointer.revision` exceeds the stored revision. Emits `ManifestPublished`.
    /// @param pointer The manifest commitments.
    function publishManifest(ManifestPointer calldata pointer) external;

    /// @notice Moves a manifest pointer on the publisher's EIP-712 `PublishManifest` signature; anyone relays.
    /// @dev Emits `NonceUsed` and `ManifestPublished`.
    /// @param publisher The stream's publisher, who signed.
    /// @param pointer The manifest commitments.
    /// @param nonce The publisher's current nonce.
    /// @param deadline Last valid block time (seconds).
    /// @param signature The publisher's signature.
    function publishManifestWithSig(
        address publisher,
        ManifestPointer calldata pointer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Moves a transport-announcement pointer; only the stream's publisher may call.
    /// @dev Reverts unless `pointer.sequence` exceeds the stored sequence. Emits `AnnouncementPublished`.
    /// @param pointer The announcement commitments.
    function publishAnnouncement(AnnouncementPointer calldata pointer) external;

    /// @notice Moves a transport-announcement pointer on the publisher's EIP-712 `PublishAnnouncement`
    ///         signature; anyone relays.
    /// @dev Emits `NonceUsed` and `AnnouncementPublished`.
    /// @param publisher The stream's publisher, who signed.
    /// @param pointer The announcement commitments.
    /// @param nonce The publisher's current nonce.
    /// @param deadline Last valid block time (seconds).
    /// @param signature The publisher's signature.
    function publishAnnouncementWithSig(
        address publisher,
        AnnouncementPointer calldata pointer,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Moves several pointers at once; the caller must be the publisher of every stream named.
    /// @dev All or nothing. Manifests are applied first, in order, then announcements. One event per pointer.
    /// @param manifests Manifest pointers.
    /// @param announcements Announcement pointers.
    function publishBatch(
        ManifestPointer[] calldata manifests,
        AnnouncementPointer[] calldata announcements
    ) external;

    /// @notice Moves several pointers on one EIP-712 `PublishBatch` signature of a publisher of every stream
    ///         named; anyone relays.
    /// @dev All or nothing. Emits `NonceUsed` and one event per pointer.
    /// @param publisher The publisher, who signed.
    /// @param manifests Manifest pointers.
    /// @param announcements Announcement pointers.
    /// @param nonce The publisher's current nonce.
    /// @param deadline Last valid block time (seconds).
    /// @param signature The publisher's signature.
    function publishBatchWithSig(
        address publisher,
        ManifestPointer[] calldata manifests,
        AnnouncementPointer[] calldata announcements,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external;
}
