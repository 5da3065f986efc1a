# The default value of every option of services.every-channel.op-stack and
# services.every-channel.daemons (builtins only). options.nix declares the options with these
# defaults; `withDefaults` lays partial settings over them the way the module system does for these
# options, which lets a test evaluate plan.nix without nixpkgs.
let
  pins = builtins.fromJSON (builtins.readFile ./images.json);
  serviceNames = [
    "op-reth"
    "op-node"
    "op-batcher"
    "op-proposer"
    "op-challenger"
    "op-dispute-mon"
  ];
  service = {
    enable = true;
    settings = { };
    extraArgs = [ ];
  };
  values = {
    op-stack = {
      enable = false;
      deployment = null;
      images = builtins.mapAttrs (name: pin: {
        repository = "${pins.repository}/${name}";
        inherit (pin) tag digest;
      }) pins.images;
      stateDir = "/var/lib/every-channel-op-stack";
      configDir = "/var/lib/every-channel-op-stack/config";
      l2Rpc = {
        address = "127.0.0.1";
        port = 8545;
      };
      p2p = {
        enable = false;
        openFirewall = true;
        opNodePort = 9222;
        opRethPort = 30303;
      };
      secrets = { };
      prestate = null;
      services = builtins.listToAttrs (
        map (name: {
          inherit name;
          value = service;
        }) serviceNames
      );
    };
    daemons = {
      repoPath = "/srv/every-channel-rail";
      network = "ecpForgeL2";
      l2RpcUrl = "http://127.0.0.1:8545";
      l2ChainId = null;
      deploymentsDir = "/srv/every-channel-rail/deployments";
      stateDir = "/var/lib/every-channel";
      witness = {
        enable = false;
        archive = null;
        signTo = null;
        privateKeyFile = null;
        extraArgs = [ ];
        restartSec = 5;
      };
      relayer = {
        enable = false;
        signatures = [ ];
        privateKeyFile = null;
        extraArgs = [ ];
        restartSec = 5;
      };
      indexer = {
        enable = false;
        # lib/indexer/run.ts DEFAULT_LISTEN
        listen = "127.0.0.1:42069";
        databaseUrlFile = null;
        extraArgs = [ ];
        restartSec = 5;
      };
    };
  };
  # Attribute sets merge recursively; any other value (null, a list, a string) replaces.
  update =
    base: over:
    base
    // builtins.mapAttrs (
      name: value:
      if builtins.isAttrs value && builtins.isAttrs (base.${name} or null) then
        update base.${name} value
      else
        value
    ) over;
in
{
  inherit values serviceNames pins;
  withDefaults = partial: update values partial;
}
