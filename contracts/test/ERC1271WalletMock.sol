// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271WalletMock
/// @notice Test-only ERC-1271 smart wallet: accepts a digest signed by its owner's key and forwards calls made
///         by the owner. Never deployed to real networks.
contract ERC1271WalletMock is IERC1271 {
    /// @notice Thrown when someone other than the owner asks the wallet to make a call.
    /// @param caller The caller.
    error NotWalletOwner(address caller);

    /// @notice The key whose ECDSA signatures the wallet accepts.
    address public immutable OWNER;

    /// @param walletOwner The key whose ECDSA signatures the wallet accepts.
    constructor(address walletOwner) {
        OWNER = walletOwner;
    }

    /// @notice Makes a call as the wallet; only the owner may ask. Bubbles up reverts.
    /// @param target The contract to call.
    /// @param data The calldata.
    /// @return result The call's return data.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != OWNER) revert NotWalletOwner(msg.sender);
        bool success;
        // A wallet forwards arbitrary calls by design.
        // solhint-disable-next-line avoid-low-level-calls
        (success, result) = target.call(data);
        if (!success) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecover(hash, signature);
        if (error == ECDSA.RecoverError.NoError && recovered == OWNER)
            return IERC1271.isValidSignature.selector;
        return 0xffffffff;
    }
}
