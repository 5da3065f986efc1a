// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// @title ERC165OnlyMock
/// @notice Test helper (never deployed live): a contract that answers ERC-165 but declares no leader-inbox
///         interface, which the inbox registry must refuse.
// solhint-disable-next-line no-empty-blocks
contract ERC165OnlyMock is ERC165 {}
