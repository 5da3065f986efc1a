import type { DeployNetworkParameters } from "../parameters";

/** `localhost`: dev accounts; three witnesses, two of which finalize. */
export const parameters: DeployNetworkParameters = {
  owner: "owner",
  witnesses: ["witness1", "witness2", "witness3"],
  quorum: 2,
};
