// The settlement indexer's own configuration: the same chain, contracts, blocks and database.
export { default } from "../../../indexer/ponder.config";
