# services.every-channel.op-stack (the OP Stack chain in pinned official containers) and
# services.every-channel.daemons (the rail's witness and relayer), for ecp-forge.
# Import this file from the host's NixOS configuration; see docs/runbooks/op-stack-bring-up.md.
{
  imports = [ ./ec-op-stack/default.nix ];
}
