# The option logic of services.every-channel.op-stack and services.every-channel.daemons, as a pure
# function of the evaluated options (builtins only, no nixpkgs): which containers and daemons run,
# with which image, arguments, secrets, volumes and state folders, which firewall ports open, and
# which warnings and assertions result. default.nix turns the result into systemd units;
# test/opstack/nix-module.test.ts evaluates this file directly with nix-instantiate.
#
# Flags are rendered from each service's `settings` by the rule of lib/opstack/services.ts: names in
# sorted order, true -> --name, false and null -> left out, a list -> joined with commas,
# anything else -> --name=value.
cfg:
let
  inherit (builtins)
    attrNames
    concatLists
    concatStringsSep
    elem
    filter
    hasAttr
    isBool
    isList
    listToAttrs
    map
    toString
    ;
  optional = cond: value: if cond then [ value ] else [ ];
  optionals = cond: values: if cond then values else [ ];

  render =
    settings:
    concatLists (
      map (
        name:
        let
          value = settings.${name};
        in
        if value == null || value == false then
          [ ]
        else if value == true then
          [ "--${name}" ]
        else if isList value then
          [ "--${name}=${concatStringsSep "," (map toString value)}" ]
        else
          [ "--${name}=${toString value}" ]
      ) (attrNames settings)
    );

  stack = cfg.op-stack;
  deployment = stack.deployment;
  hasDeployment = deployment != null;
  deployed = if hasDeployment then deployment.services else { };

  serviceNames = [
    "op-reth"
    "op-node"
    "op-batcher"
    "op-proposer"
    "op-challenger"
    "op-dispute-mon"
  ];
  disputeServices = [
    "op-challenger"
    "op-dispute-mon"
  ];

  prestate =
    if stack.prestate != null then
      stack.prestate
    else if hasDeployment && deployment.prestate or null != null then
      deployment.prestate
    else
      null;
  secretFiles = (if hasDeployment then deployment.secrets else { }) // stack.secrets;

  p2p = stack.p2p;
  l2Rpc = stack.l2Rpc;

  # Host-level settings the module owns over what setup-rollup recorded.
  hostSettings = {
    op-reth = {
      "http.addr" = l2Rpc.address;
      "http.port" = l2Rpc.port;
      addr = if p2p.enable then "0.0.0.0" else "127.0.0.1";
      port = p2p.opRethPort;
      "disable-discovery" = !p2p.enable;
    };
    op-node =
      {
        "p2p.disable" = !p2p.enable;
      }
      // (
        if p2p.enable then
          {
            "p2p.listen.ip" = "0.0.0.0";
            "p2p.listen.tcp" = p2p.opNodePort;
            "p2p.listen.udp" = p2p.opNodePort;
          }
        else
          { }
      );
  };

  # A service runs when the stack is enabled, the service is enabled and setup-rollup recorded it;
  # the dispute services additionally need a prestate.
  wanted =
    name:
    stack.enable
    && stack.services.${name}.enable
    && hasAttr name deployed
    && (!(elem name disputeServices) || prestate != null);

  image =
    name:
    let
      pin = stack.images.${name};
    in
    "${pin.repository}:${pin.tag}" + (if pin.digest == null then "" else "@${pin.digest}");

  volumesOf =
    name:
    [
      "${stack.configDir}/genesis.json:/config/genesis.json:ro"
      "${stack.configDir}/rollup.json:/config/rollup.json:ro"
    ]
    ++ optional (elem name [
      "op-reth"
      "op-node"
      "op-challenger"
    ]) "${stack.stateDir}/${name}:/data"
    ++ optional (name == "op-challenger") "${dirOf prestate.file}:/prestate:ro";

  container =
    name:
    let
      entry = deployed.${name};
      settings = entry.settings // (hostSettings.${name} or { }) // stack.services.${name}.settings;
    in
    {
      inherit name;
      unit = "ec-${name}";
      image = image name;
      argv = (entry.command or [ ]) ++ render settings ++ stack.services.${name}.extraArgs;
      # Environment variable -> host file, read at start through systemd credentials.
      secretEnv = listToAttrs (
        map (env: {
          name = env;
          value = secretFiles.${entry.secretEnv.${env}} or null;
        }) (attrNames entry.secretEnv)
      );
      # The JWT shared by op-reth and op-node, mounted at /secrets/jwt.hex.
      jwt = if elem name [ "op-reth" "op-node" ] then secretFiles.jwt or null else null;
      volumes = volumesOf name;
      stateDir = if elem name [ "op-reth" "op-node" "op-challenger" ] then "${stack.stateDir}/${name}" else null;
      # Started by a path unit once the prestate artifact exists, and only if its sha256 matches.
      gate = if elem name disputeServices then prestate else null;
      restartSec = 10;
    };

  containerNames = filter wanted serviceNames;
  containers = listToAttrs (
    map (name: {
      inherit name;
      value = container name;
    }) containerNames
  );

  daemonsCfg = cfg.daemons;
  daemon =
    kind: d: args: secretEnvName:
    {
      unit = "every-channel-${kind}";
      workingDirectory = daemonsCfg.repoPath;
      argv =
        [
          "${daemonsCfg.repoPath}/node_modules/.bin/hardhat"
          "--network"
          daemonsCfg.network
        ]
        ++ args
        ++ d.extraArgs;
      environment = {
        ECP_FORGE_L2_RPC_URL = daemonsCfg.l2RpcUrl;
        ECP_DEPLOYMENTS_DIR = daemonsCfg.deploymentsDir;
      }
      // (if daemonsCfg.l2ChainId != null then { ECP_FORGE_L2_CHAIN_ID = toString daemonsCfg.l2ChainId; } else { });
      secretEnv = {
        ${secretEnvName} = d.privateKeyFile;
      };
      stateDir = "${daemonsCfg.stateDir}/${kind}";
      restart = "always";
      restartSec = d.restartSec;
    };
  witness = daemonsCfg.witness;
  relayer = daemonsCfg.relayer;
  indexer = daemonsCfg.indexer;
  # lib/indexer/run.ts parseListen: host (name, IPv4 or [IPv6]) and a port 1-65535.
  listenMatch = builtins.match "(\\[[0-9a-fA-F:]+]|[0-9A-Za-z.-]+):([1-9][0-9]{0,4})" indexer.listen;
  listenValid =
    listenMatch != null
    && builtins.fromJSON (builtins.elemAt listenMatch 1) >= 1
    && builtins.fromJSON (builtins.elemAt listenMatch 1) <= 65535;
  # Daemons that sign need their key file; the indexer's one secret is optional.
  keyedDaemons = filter (kind: kind != "indexer") (attrNames daemons);
  daemons =
    (
      if witness.enable then
        {
          witness = daemon "witness" witness (
            [
              "witness:run"
              "--archive"
              (toString witness.archive)
              "--state"
              "${daemonsCfg.stateDir}/witness"
            ]
            ++ optionals (witness.signTo != null) [
              "--sign-to"
              (toString witness.signTo)
            ]
          ) "WITNESS_PRIVATE_KEY";
        }
      else
        { }
    )
    // (
      if relayer.enable then
        {
          relayer = daemon "relayer" relayer [
            "relayer:run"
            "--signatures"
            (concatStringsSep "," (map toString relayer.signatures))
          ] "RELAYER_PRIVATE_KEY";
        }
      else
        { }
    )
    // (
      if indexer.enable then
        {
          indexer =
            daemon "indexer" indexer [
              "indexer:run"
              "--listen"
              indexer.listen
              "--data"
              "${daemonsCfg.stateDir}/indexer"
            ] "DATABASE_URL"
            // {
              secretEnv = if indexer.databaseUrlFile == null then { } else { DATABASE_URL = indexer.databaseUrlFile; };
            };
        }
      else
        { }
    );

  p2pPorts = [
    p2p.opNodePort
    p2p.opRethPort
  ];
  openP2p = stack.enable && p2p.enable && p2p.openFirewall;

  missingSecrets = concatLists (
    map (
      name:
      map (env: "${name} reads ${env} from services.every-channel.op-stack.secrets.${deployed.${name}.secretEnv.${env}}, which is not set") (
        filter (env: containers.${name}.secretEnv.${env} == null) (attrNames containers.${name}.secretEnv)
      )
    ) containerNames
  );
  unpinned = filter (name: stack.images.${name}.digest == null) containerNames;
in
{
  inherit containers daemons;

  firewall = {
    allowedTCPPorts = optionals openP2p p2pPorts;
    allowedUDPPorts = optionals openP2p p2pPorts;
  };

  # Every folder the services write; teardown removes exactly these.
  stateDirectories =
    filter (dir: dir != null) (map (name: containers.${name}.stateDir) containerNames)
    ++ map (kind: daemons.${kind}.stateDir) (attrNames daemons);

  # The path units that start the dispute services once the prestate artifact is there.
  prestatePaths = listToAttrs (
    map (name: {
      name = "ec-${name}";
      value = prestate.file;
    }) (filter (name: elem name disputeServices) containerNames)
  );

  warnings =
    optional (stack.enable && prestate == null)
      "op-challenger, op-dispute-mon: not started: no Cannon absolute prestate configured (services.every-channel.op-stack.prestate)"
    ++ optional (stack.enable && l2Rpc.address != "127.0.0.1")
      "services.every-channel.op-stack.l2Rpc.address is ${l2Rpc.address}: the L2 RPC is reachable beyond this host (the firewall does not open it)";

  assertions =
    [
      {
        assertion = !stack.enable || hasDeployment;
        message = "services.every-channel.op-stack.deployment is not set: point it at the services.json that scripts/op-stack/setup-rollup.sh wrote";
      }
      {
        assertion = !stack.enable || !hasDeployment || deployment.schema or null == "every.channel/op-stack-services/v1";
        message = "services.every-channel.op-stack.deployment is not an every.channel/op-stack-services/v1 file";
      }
      {
        assertion = !stack.enable || prestate == null || !hasDeployment || hasAttr "op-challenger" deployed;
        message = "services.every-channel.op-stack.prestate is set, but the deployment file has no op-challenger: re-run setup-rollup with prestate configured";
      }
      {
        assertion = !(witness.enable && witness.archive == null);
        message = "services.every-channel.daemons.witness.archive is not set";
      }
      {
        assertion = !(relayer.enable && relayer.signatures == [ ]);
        message = "services.every-channel.daemons.relayer.signatures is empty";
      }
      {
        assertion = !indexer.enable || listenValid;
        message = "services.every-channel.daemons.indexer.listen is ${indexer.listen}: expected host:port, e.g. 127.0.0.1:42069";
      }
    ]
    ++ map (name: {
      assertion = false;
      message = "services.every-channel.op-stack.images.${name}.digest is not pinned: pin it (docs/runbooks/op-stack-bring-up.md, step 3) before enabling ${name}";
    }) unpinned
    ++ map (message: {
      assertion = false;
      inherit message;
    }) missingSecrets
    ++ map (kind: {
      assertion = daemons.${kind}.secretEnv != { } && builtins.all (file: file != null) (builtins.attrValues daemons.${kind}.secretEnv);
      message = "services.every-channel.daemons.${kind}.privateKeyFile is not set";
    }) keyedDaemons;
}
