// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ERC165Checker} from "@openzeppelin/contracts/utils/introspection/ERC165Checker.sol";

import {IEveryChannelInboxRegistry} from "./interfaces/IEveryChannelInboxRegistry.sol";
import {IEveryChannelLeaderInbox} from "./interfaces/IEveryChannelLeaderInbox.sol";

/// @title EveryChannelInboxRegistry
/// @notice The governance record of the active leader-election batch inbox.
contract EveryChannelInboxRegistry is IEveryChannelInboxRegistry, Ownable2Step {
    address private _activeInbox;

    /// @notice Creates the registry with its owner and first inbox.
    /// @dev Emits `ActiveInboxChanged(address(0), initialInbox)`. Reverts like `setActiveInbox` (and with
    ///      `OwnableInvalidOwner` for a zero owner).
    /// @param initialOwner The owner (Ownable2Step): the chain's governance.
    /// @param initialInbox The first active inbox.
    constructor(address initialOwner, address initialInbox) Ownable(initialOwner) {
        _setActiveInbox(initialInbox);
    }

    /// @inheritdoc IEveryChannelInboxRegistry
    function setActiveInbox(address inbox) external onlyOwner {
        _setActiveInbox(inbox);
    }

    /// @inheritdoc IEveryChannelInboxRegistry
    function activeInbox() external view returns (address) {
        return _activeInbox;
    }

    /// @inheritdoc IEveryChannelInboxRegistry
    function version() external pure returns (string memory) {
        return "1.0.0";
    }

    function _setActiveInbox(address inbox) private {
        if (!ERC165Checker.supportsInterface(inbox, type(IEveryChannelLeaderInbox).interfaceId))
            revert NotALeaderInbox(inbox);
        address previous = _activeInbox;
        if (inbox == previous) revert InboxAlreadyActive(inbox);
        _activeInbox = inbox;
        emit ActiveInboxChanged(previous, inbox);
    }
}
