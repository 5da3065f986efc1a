// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IEveryChannelWitnessRegistry
/// @notice The witness set of the every.channel observation ledger (ECP-0093): which addresses may
///         attest observations, and how many distinct witnesses finalize one (the quorum).
/// @dev Invariants, checked after every change (a change that would break one reverts with an error
///      naming the values):
///      - `1 <= quorum <= witnessCount` (`QuorumExceedsWitnessCount`), and
///      - `2 * quorum > witnessCount`: the quorum is a strict majority (`QuorumNotStrictMajority`), so two
///        disjoint sets of witnesses can never both reach it.
///      Every address that is ever added receives a registry index (0, 1, 2, ... up to
///      `MAX_WITNESS_INDICES - 1`) that it keeps forever, also after removal and re-adding; an index is
///      never given to another address. The ledger keeps attestations as bitmaps over these indices and
///      counts a bit only while `activeWitnesses` has it: removing a witness stops its attestations from
///      counting at once, re-adding it makes them count again, and a new witness can never inherit the
///      bits of a removed one. See `docs/registry.md`.
interface IEveryChannelWitnessRegistry {
    // ---------------------------------------------------------------------------------------------
    // Events
    // ---------------------------------------------------------------------------------------------

    /// @notice Emitted when `witness` becomes an active witness.
    /// @param witness The witness address.
    /// @param index The witness's registry index (assigned on its first addition, kept forever).
    event WitnessAdded(address indexed witness, uint256 indexed index);

    /// @notice Emitted when `witness` stops being an active witness.
    /// @param witness The witness address.
    /// @param index The witness's registry index (kept; it is never given to another address).
    event WitnessRemoved(address indexed witness, uint256 indexed index);

    /// @notice Emitted when the quorum changes.
    /// @param previousQuorum The quorum before the change (0 when set by the constructor).
    /// @param newQuorum The quorum after the change.
    event QuorumChanged(uint256 previousQuorum, uint256 newQuorum);

    /// @notice Emitted when the key behind a witness index is replaced (`rotateWitness`).
    /// @param previousKey The retired key, which can never be a witness again.
    /// @param newKey The key that now holds the index.
    /// @param index The witness index both keys held.
    event WitnessRotated(address indexed previousKey, address indexed newKey, uint256 indexed index);

    // ---------------------------------------------------------------------------------------------
    // Errors
    // ---------------------------------------------------------------------------------------------

    /// @notice Thrown when the zero address is given as a witness.
    error ZeroAddressWitness();

    /// @notice Thrown when adding a witness that is already active.
    /// @param witness The witness address.
    error WitnessAlreadyActive(address witness);

    /// @notice Thrown when removing an address that is not an active witness.
    /// @param account The address.
    error WitnessNotActive(address account);

    /// @notice Thrown when a new witness would need an index beyond `MAX_WITNESS_INDICES - 1`.
    /// @param witness The address that could not be given an index.
    /// @param maxIndices The lifetime number of indices (`MAX_WITNESS_INDICES`).
    error WitnessIndicesExhausted(address witness, uint256 maxIndices);

    /// @notice Thrown when a change would leave a quorum larger than the number of witnesses (this
    ///         includes removing the last witness).
    /// @param quorum The quorum the change would leave.
    /// @param witnessCount The number of active witnesses the change would leave.
    error QuorumExceedsWitnessCount(uint256 quorum, uint256 witnessCount);

    /// @notice Thrown when a change would leave a quorum that is not a strict majority of the witnesses
    ///         (`2 * quorum <= witnessCount`, including a zero quorum).
    /// @param quorum The quorum the change would leave.
    /// @param witnessCount The number of active witnesses the change would leave.
    error QuorumNotStrictMajority(uint256 quorum, uint256 witnessCount);

    /// @notice Thrown when asking for the index of an address that was never a witness.
    /// @param account The address.
    error NeverAWitness(address account);

    /// @notice Thrown when adding or rotating to a key that was retired by `rotateWitness`.
    /// @param account The retired key.
    error RetiredWitnessKey(address account);

    /// @notice Thrown by `rotateWitness` when the new key already has (or had) a witness index.
    /// @param account The key.
    /// @param index Its index.
    error WitnessKeyInUse(address account, uint256 index);

    /// @notice Thrown when asking for the address of an index that was never assigned.
    /// @param index The index.
    /// @param indicesAssigned How many indices have been assigned so far.
    error UnassignedWitnessIndex(uint256 index, uint256 indicesAssigned);

    // ---------------------------------------------------------------------------------------------
    // Owner actions (Ownable2Step)
    // ---------------------------------------------------------------------------------------------

    /// @notice Adds `witness` to the active set (owner only). Reuses the witness's index if it had one.
    /// @dev Emits `WitnessAdded`. Reverts with `ZeroAddressWitness`, `WitnessAlreadyActive`,
    ///      `WitnessIndicesExhausted`, or `QuorumNotStrictMajority` when the current quorum is no longer
    ///      a strict majority of the larger set (use `updateWitnessSet` to move the quorum in the same call).
    /// @param witness The witness address.
    function addWitness(address witness) external;

    /// @notice Removes `witness` from the active set (owner only). Its attestations stop counting at once.
    /// @dev Emits `WitnessRemoved`. Reverts with `WitnessNotActive`, or `QuorumExceedsWitnessCount` when
    ///      the quorum would exceed the smaller set.
    /// @param witness The witness address.
    function removeWitness(address witness) external;

    /// @notice Replaces the key behind an active witness's index in one transaction (owner only), for a
    ///         compromised or lost key: `newKey` takes `previousKey`'s index and its place in the active set,
    ///         and `previousKey` is retired for good: it is no longer a witness, its signatures are refused
    ///         from now on (`NotAWitness` on the ledger), and it can never be added again, so nothing it
    ///         signed can count again. Attestations the previous key had recorded in slots still open stay
    ///         recorded under the index (the ledger keeps bitmaps by index); the new key's witness node skips
    ///         those slots (`docs/registry.md`). The quorum and the witness count do not change.
    /// @dev Emits `WitnessRotated`. Reverts with `WitnessNotActive` (previous key), `ZeroAddressWitness`,
    ///      `RetiredWitnessKey` or `WitnessKeyInUse` (new key).
    /// @param previousKey The active witness key to retire.
    /// @param newKey A key that never had a witness index.
    function rotateWitness(address previousKey, address newKey) external;

    /// @notice Sets the quorum (owner only).
    /// @dev Emits `QuorumChanged` when the value changes. Reverts with `QuorumExceedsWitnessCount` or
    ///      `QuorumNotStrictMajority`.
    /// @param newQuorum The new quorum.
    function setQuorum(uint256 newQuorum) external;

    /// @notice Changes the witness set and the quorum atomically (owner only): first removes every address
    ///         of `toRemove`, then adds every address of `toAdd`, then sets the quorum; the invariants are
    ///         checked once, on the result. Needed where no single step keeps them (e.g. 3 of 5 to 4 of 6).
    /// @dev Emits `WitnessRemoved` / `WitnessAdded` per address in that order, then `QuorumChanged` when the
    ///      quorum changes. Reverts with the errors of `addWitness`, `removeWitness` and `setQuorum`.
    /// @param toAdd Addresses to add.
    /// @param toRemove Addresses to remove.
    /// @param newQuorum The quorum after the change.
    function updateWitnessSet(
        address[] calldata toAdd,
        address[] calldata toRemove,
        uint256 newQuorum
    ) external;

    // ---------------------------------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------------------------------

    /// @notice The lifetime number of witness indices (128): indices are never reused.
    /// @return The number of indices.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_WITNESS_INDICES() external view returns (uint256);

    /// @notice Whether `account` is an active witness.
    /// @param account The address.
    /// @return True when active.
    function isWitness(address account) external view returns (bool);

    /// @notice The registry index of `account`, active or not. Reverts with `NeverAWitness` if it never had one,
    ///         `RetiredWitnessKey` if `rotateWitness` gave its index to another key.
    /// @param account The address.
    /// @return The index.
    function witnessIndex(address account) external view returns (uint256);

    /// @notice The address holding registry index `index`. Reverts with `UnassignedWitnessIndex`.
    /// @param index The index.
    /// @return The witness address (active or not).
    function witnessAt(uint256 index) external view returns (address);

    /// @notice The number of active witnesses.
    /// @return The count.
    function witnessCount() external view returns (uint256);

    /// @notice The number of distinct active witnesses that finalize an observation.
    /// @return The quorum.
    function quorum() external view returns (uint256);

    /// @notice How many registry indices have been assigned (active or removed witnesses).
    /// @return The count.
    function indicesAssigned() external view returns (uint256);

    /// @notice Whether `account` was retired by `rotateWitness`.
    /// @param account The address.
    /// @return True when retired.
    function isRetired(address account) external view returns (bool);

    /// @notice The active witnesses in index order.
    /// @return The addresses.
    function witnesses() external view returns (address[] memory);

    /// @notice The membership as the ledger reads it, from one storage word.
    /// @return activeWitnesses Bitmap of active witnesses: bit `i` is set when the witness of index `i` is active.
    /// @return currentQuorum The quorum.
    function membership() external view returns (uint256 activeWitnesses, uint256 currentQuorum);

    /// @notice The membership and one account's index in one call (two storage reads).
    /// @param account The address.
    /// @return activeWitnesses Bitmap of active witnesses by index.
    /// @return currentQuorum The quorum.
    /// @return registered Whether `account` holds an index (false if it never had one or was retired).
    /// @return index The account's index (0 when not `registered`); it is active when bit `index` of
    ///         `activeWitnesses` is set.
    function membershipOf(
        address account
    ) external view returns (uint256 activeWitnesses, uint256 currentQuorum, bool registered, uint256 index);

    /// @notice The contract version (semver, see `docs/versioning.md`).
    /// @return The version string.
    function version() external view returns (string memory);
}
