// Registers every task of the project, behind one error boundary (tasks/errors.ts). Each task is a
// thin wrapper over the library in `lib/`.
import { extendEnvironment } from "hardhat/config";

import { installErrorBoundary } from "./errors";
import "./deploy";
import "./indexer";
import "./leader";
import "./operator";
import "./rail";
import "./reality-smoke";

extendEnvironment(installErrorBoundary);
