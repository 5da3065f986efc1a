/**
 * The OP Stack GasPriceOracle predeploy (0x420000000000000000000000000000000000000F): the parts of
 * its interface used to estimate the L1 data fee of a transaction, as specified in the OP Stack
 * specs (`specs/protocol/predeploys.md`, Ecotone and Fjord `predeploys.md`). `getL1Fee(bytes)` takes
 * the unsigned, fully RLP-encoded transaction; since Fjord it estimates the compressed size with
 * FastLZ. `getL1FeeUpperBound(uint256)` exists from Fjord on and reverts before it.
 */
import { parseAbi, type Address } from "viem";

export const GAS_PRICE_ORACLE_ADDRESS: Address = "0x420000000000000000000000000000000000000F";

export const gasPriceOracleAbi = parseAbi([
  "function getL1Fee(bytes _data) view returns (uint256)",
  "function getL1FeeUpperBound(uint256 _unsignedTxSize) view returns (uint256)",
  "function getL1GasUsed(bytes _data) view returns (uint256)",
  "function version() view returns (string)",
  "function isEcotone() view returns (bool)",
  "function isFjord() view returns (bool)",
  "function l1BaseFee() view returns (uint256)",
  "function blobBaseFee() view returns (uint256)",
  "function baseFeeScalar() view returns (uint32)",
  "function blobBaseFeeScalar() view returns (uint32)",
  "function decimals() pure returns (uint256)",
]);
