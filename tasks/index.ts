// Registers every task of the project. Each task is a thin wrapper over the library in `lib/`.
import "./deploy";
import "./leader";
import "./operator";
import "./rail";
import "./reality-smoke";
