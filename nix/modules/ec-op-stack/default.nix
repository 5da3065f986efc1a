# Implementation of services.every-channel.op-stack and services.every-channel.daemons: systemd
# units built from plan.nix. Each OP Stack service runs its pinned image with podman on the host
# network (so a loopback bind stays on this host); secrets reach it as systemd credentials and are
# handed to the container as the environment variables its flags answer to. op-challenger and
# op-dispute-mon start through a path unit once the prestate artifact exists, and an ExecCondition
# checks its sha256 first, printing one line when it does not match.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.every-channel;
  plan = import ./plan.nix {
    inherit (cfg) op-stack daemons;
  };
  inherit (lib)
    concatMapStrings
    concatStringsSep
    escapeShellArg
    escapeShellArgs
    mapAttrs'
    nameValuePair
    optional
    optionalString
    ;
  podman = "${pkgs.podman}/bin/podman";
  envNames = secretEnv: builtins.attrNames secretEnv;
  credentials =
    secretEnv: map (env: "${env}:${secretEnv.${env}}") (envNames secretEnv);
  exportCredentials =
    secretEnv:
    concatMapStrings (env: ''
      ${env}="$(< "$CREDENTIALS_DIRECTORY/${env}")"
      export ${env}
    '') (envNames secretEnv);

  containerStart =
    c:
    pkgs.writeShellScript "${c.unit}-start" ''
      set -euo pipefail
      ${exportCredentials c.secretEnv}
      exec ${podman} run --rm --replace --name ${c.unit} --network=host \
        ${concatMapStrings (env: "--env ${env} ") (envNames c.secretEnv)}\
        ${optionalString (c.jwt != null) ''--volume "$CREDENTIALS_DIRECTORY/jwt:/secrets/jwt.hex:ro" ''}\
        ${concatMapStrings (v: "--volume ${escapeShellArg v} ") c.volumes}\
        ${escapeShellArg c.image} ${escapeShellArgs c.argv}
    '';

  prestateCheck =
    c:
    pkgs.writeShellScript "${c.unit}-prestate" ''
      set -euo pipefail
      file=${escapeShellArg c.gate.file}
      if [ ! -f "$file" ]; then
        echo "${c.name}: not started: Cannon absolute prestate $file is absent"
        exit 1
      fi
      actual="$(${pkgs.coreutils}/bin/sha256sum "$file" | ${pkgs.coreutils}/bin/cut -d' ' -f1)"
      if [ "$actual" != ${escapeShellArg c.gate.sha256} ]; then
        echo "${c.name}: not started: Cannon absolute prestate $file has sha256 $actual, configured ${c.gate.sha256}"
        exit 1
      fi
    '';

  daemonStart =
    dm:
    pkgs.writeShellScript "${dm.unit}-start" ''
      set -euo pipefail
      ${exportCredentials dm.secretEnv}
      exec ${escapeShellArgs dm.argv}
    '';

  anyContainer = plan.containers != { };
  anyDaemon = plan.daemons != { };
in
{
  imports = [ ./options.nix ];

  config = lib.mkIf (cfg.op-stack.enable || anyDaemon) {
    inherit (plan) warnings assertions;

    virtualisation.podman.enable = lib.mkIf anyContainer true;

    networking.firewall = {
      inherit (plan.firewall) allowedTCPPorts allowedUDPPorts;
    };

    users.users.every-channel = lib.mkIf anyDaemon {
      isSystemUser = true;
      group = "every-channel";
      home = cfg.daemons.stateDir;
    };
    users.groups.every-channel = lib.mkIf anyDaemon { };

    # Declared state folders: teardown removes exactly plan.stateDirectories.
    systemd.tmpfiles.rules =
      map (dir: "d ${dir} 0750 root root -") (
        builtins.filter (dir: !(lib.hasPrefix cfg.daemons.stateDir dir)) plan.stateDirectories
      )
      ++ map (kind: "d ${plan.daemons.${kind}.stateDir} 0750 every-channel every-channel -") (
        builtins.attrNames plan.daemons
      );

    systemd.services =
      mapAttrs' (
        name: c:
        nameValuePair c.unit {
          description = "every.channel OP Stack: ${name} (${c.image})";
          after = [ "network-online.target" ];
          wants = [ "network-online.target" ];
          # The dispute services are started by their path unit, never at boot without the prestate.
          wantedBy = optional (c.gate == null) "multi-user.target";
          serviceConfig = {
            ExecStart = containerStart c;
            ExecStop = "${podman} stop --ignore ${c.unit}";
            Restart = "always";
            RestartSec = c.restartSec;
            LoadCredential = credentials c.secretEnv ++ optional (c.jwt != null) "jwt:${c.jwt}";
          } // lib.optionalAttrs (c.gate != null) { ExecCondition = prestateCheck c; };
        }
      ) plan.containers
      // mapAttrs' (
        kind: dm:
        nameValuePair dm.unit {
          description = "every.channel ${kind} (${concatStringsSep " " (builtins.tail dm.argv)})";
          after = [ "network-online.target" ] ++ optional (plan.containers ? op-reth) "ec-op-reth.service";
          wants = [ "network-online.target" ];
          wantedBy = [ "multi-user.target" ];
          path = [ pkgs.nodejs_20 ];
          environment = dm.environment;
          serviceConfig = {
            User = "every-channel";
            Group = "every-channel";
            WorkingDirectory = dm.workingDirectory;
            ExecStart = daemonStart dm;
            Restart = dm.restart;
            RestartSec = dm.restartSec;
            LoadCredential = credentials dm.secretEnv;
          };
        }
      ) plan.daemons;

    systemd.paths = builtins.mapAttrs (unit: file: {
      description = "Start ${unit} once the Cannon absolute prestate ${file} exists";
      wantedBy = [ "multi-user.target" ];
      pathConfig = {
        PathExists = file;
        PathChanged = file;
        Unit = "${unit}.service";
      };
    }) plan.prestatePaths;
  };
}
