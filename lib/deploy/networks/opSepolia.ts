import type { DeployNetworkParameters } from "../parameters";

/** `opSepolia`: contract compatibility checks on a public OP Stack chain; one witness suffices. */
export const parameters: DeployNetworkParameters = {
  owner: "owner",
  witnesses: ["witness1"],
  quorum: 1,
};
