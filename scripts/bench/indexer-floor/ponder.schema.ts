// The settlement indexer's own tables, left empty by this app's handlers.
export * from "../../../indexer/ponder.schema";
