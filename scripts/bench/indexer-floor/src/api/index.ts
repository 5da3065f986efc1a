// The settlement indexer's own query API: `/v1/status` tells the bench how far the backfill is.
export { default } from "../../../../../indexer/src/api/index";
