# Options of services.every-channel.op-stack and services.every-channel.daemons. Defaults come from
# defaults.nix (image pins from images.json). Paths to secrets are strings, never Nix paths, so that
# no secret is ever copied into the Nix store.
{ lib, ... }:
let
  inherit (lib) mkOption mkEnableOption types;
  defaults = import ./defaults.nix;
  d = defaults.values;
  settingsType = types.attrsOf (
    types.nullOr (
      types.oneOf [
        types.bool
        types.int
        types.str
        (types.listOf types.str)
      ]
    )
  );
  serviceModule = name: {
    options = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = "Whether to run ${name} (op-challenger and op-dispute-mon also need services.every-channel.op-stack.prestate).";
      };
      settings = mkOption {
        type = settingsType;
        default = { };
        description = "Flags of ${name} laid over those setup-rollup recorded in the deployment file: name = value renders --name=value, true renders --name, false and null leave the flag out, a list is joined with commas.";
      };
      extraArgs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Arguments appended after the rendered flags of ${name}.";
      };
    };
  };
  imageModule = name: {
    options = {
      repository = mkOption {
        type = types.str;
        default = d.op-stack.images.${name}.repository;
        description = "Image repository of ${name}.";
      };
      tag = mkOption {
        type = types.str;
        default = d.op-stack.images.${name}.tag;
        description = "Release tag of ${name}.";
      };
      digest = mkOption {
        type = types.nullOr (types.strMatching "sha256:[0-9a-f]{64}");
        default = d.op-stack.images.${name}.digest;
        description = "Image digest of ${name}; the module refuses to run ${name} without one.";
      };
    };
  };
  port =
    default: description:
    mkOption {
      type = types.port;
      inherit default description;
    };
  daemonOptions = kind: {
    enable = mkEnableOption "the every.channel ${kind} (npx hardhat ${kind}:run) as a service";
    privateKeyFile = mkOption {
      type = types.nullOr types.str;
      default = null;
      description = "File holding the ${kind}'s 0x-prefixed private key, handed over as a systemd credential.";
    };
    extraArgs = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Arguments appended to ${kind}:run.";
    };
    restartSec = mkOption {
      type = types.ints.positive;
      default = d.daemons.${kind}.restartSec;
      description = "Seconds systemd waits before restarting the ${kind} (Restart=always).";
    };
  };
in
{
  options.services.every-channel.op-stack = {
    enable = mkEnableOption "the every.channel OP Stack chain: op-reth, op-node, op-batcher, op-proposer, op-challenger and op-dispute-mon in pinned official containers";
    deployment = mkOption {
      type = types.nullOr (types.either types.path types.attrs);
      default = null;
      apply = value: if value == null || builtins.isAttrs value then value else builtins.fromJSON (builtins.readFile value);
      description = "The services.json that scripts/op-stack/setup-rollup.sh wrote for the chain (a path, or its content).";
    };
    images = lib.genAttrs defaults.serviceNames (
      name:
      mkOption {
        type = types.submodule (imageModule name);
        default = { };
        description = "Pinned image of ${name}.";
      }
    );
    stateDir = mkOption {
      type = types.str;
      default = d.op-stack.stateDir;
      description = "Parent of the services' state folders; teardown removes it.";
    };
    configDir = mkOption {
      type = types.str;
      default = d.op-stack.configDir;
      description = "setup-rollup's outDir on this host: genesis.json, rollup.json, jwt.hex.";
    };
    l2Rpc = {
      address = mkOption {
        type = types.str;
        default = d.op-stack.l2Rpc.address;
        description = "Address op-reth's HTTP JSON-RPC binds to (loopback by default; never opened in the firewall).";
      };
      port = port d.op-stack.l2Rpc.port "Port of op-reth's HTTP JSON-RPC.";
    };
    p2p = {
      enable = mkEnableOption "peer-to-peer networking of op-node and op-reth (off: discovery disabled, listeners on loopback)";
      openFirewall = mkOption {
        type = types.bool;
        default = d.op-stack.p2p.openFirewall;
        description = "Open the P2P ports (TCP and UDP) in the firewall when p2p.enable is set.";
      };
      opNodePort = port d.op-stack.p2p.opNodePort "op-node P2P port.";
      opRethPort = port d.op-stack.p2p.opRethPort "op-reth P2P port.";
    };
    secrets = mkOption {
      type = types.attrsOf types.str;
      default = { };
      description = "Secret name -> file on this host (jwt, sequencerKey, batcherKey, proposerKey, challengerKey, l1RpcUrl, l1BeaconUrl), over those the deployment file names.";
    };
    prestate = mkOption {
      type = types.nullOr (
        types.submodule {
          options = {
            hash = mkOption {
              type = types.strMatching "0x[0-9a-fA-F]{64}";
              description = "Cannon absolute prestate hash.";
            };
            sha256 = mkOption {
              type = types.strMatching "[0-9a-f]{64}";
              description = "sha256 of the <hash>.bin.gz artifact.";
            };
            file = mkOption {
              type = types.str;
              description = "Where the artifact is (or will be) on this host.";
            };
          };
        }
      );
      default = null;
      description = "The Cannon absolute prestate; without it op-challenger and op-dispute-mon are not started. Defaults to the deployment file's.";
    };
    services = lib.genAttrs defaults.serviceNames (
      name:
      mkOption {
        type = types.submodule (serviceModule name);
        default = { };
        description = "Settings of ${name}.";
      }
    );
  };

  options.services.every-channel.daemons = {
    repoPath = mkOption {
      type = types.str;
      default = d.daemons.repoPath;
      description = "Checkout of the settlement rail with node_modules installed (npm ci).";
    };
    network = mkOption {
      type = types.str;
      default = d.daemons.network;
      description = "Hardhat network the daemons use.";
    };
    l2RpcUrl = mkOption {
      type = types.str;
      default = d.daemons.l2RpcUrl;
      description = "ECP_FORGE_L2_RPC_URL of the daemons (the local op-reth by default).";
    };
    l2ChainId = mkOption {
      type = types.nullOr types.ints.positive;
      default = d.daemons.l2ChainId;
      description = "ECP_FORGE_L2_CHAIN_ID of the daemons (null: the project's default).";
    };
    deploymentsDir = mkOption {
      type = types.str;
      default = d.daemons.deploymentsDir;
      description = "ECP_DEPLOYMENTS_DIR: where the contracts' deployment records are.";
    };
    stateDir = mkOption {
      type = types.str;
      default = d.daemons.stateDir;
      description = "Parent of the daemons' state folders (witness journal and cursor).";
    };
    witness = daemonOptions "witness" // {
      archive = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "The archive JSONL file the witness follows (--archive).";
      };
      signTo = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "Folder for EIP-712 signatures for a relayer (--sign-to); null attests by transaction.";
      };
    };
    indexer = {
      enable = mkEnableOption "the every.channel settlement indexer and its status page (npx hardhat indexer:run) as a service";
      listen = mkOption {
        type = types.str;
        default = d.daemons.indexer.listen;
        description = "host:port the indexer's query API (/v1) and status page (/) listen on (--listen); loopback by default, never opened in the firewall.";
      };
      databaseUrlFile = mkOption {
        type = types.nullOr types.str;
        default = null;
        description = "File holding a PostgreSQL connection string, handed over as a systemd credential and exported as DATABASE_URL; null keeps the index in PGlite in the indexer's state folder.";
      };
      extraArgs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Arguments appended to indexer:run (for example --schema or --poll).";
      };
      restartSec = mkOption {
        type = types.ints.positive;
        default = d.daemons.indexer.restartSec;
        description = "Seconds systemd waits before restarting the indexer (Restart=always).";
      };
    };
    relayer = daemonOptions "relayer" // {
      signatures = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = "Signature folders or files the relayer reads (--signatures).";
      };
    };
  };
}
