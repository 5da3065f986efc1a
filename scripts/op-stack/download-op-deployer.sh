#!/usr/bin/env bash
# Fetches the pinned op-deployer release for this platform into a cache folder and checks it against
# the sha256 pinned in scripts/op-stack/op-deployer.pins before anything is unpacked or made
# executable. Refuses a version or platform without a pinned sha256 and an archive whose sha256
# differs. Prints what it did; the last line is "op-deployer: <path of the binary>".
#
# Usage: scripts/op-stack/download-op-deployer.sh [options]
#   --version V        release to fetch (default: the first version in the pins file)
#   --platform P       linux-amd64, darwin-amd64, darwin-arm64 (default: this machine's)
#   --cache-dir D      cache folder (default: $XDG_CACHE_HOME/every-channel/op-deployer,
#                      else ~/.cache/every-channel/op-deployer)
#   --mirror URL       base URL instead of https://github.com/ethereum-optimism/optimism/releases/download;
#                      the file is fetched from <URL>/op-deployer%2Fv<V>/op-deployer-<V>-<P>.tar.gz
#   --archive FILE     offline: use this already downloaded archive instead of downloading
#   --bin-dir D        also link the binary as D/op-deployer
#   --pins FILE        pins file (default: scripts/op-stack/op-deployer.pins, or $OP_DEPLOYER_PINS)
#   --print-pins SRC   print pin lines for --version from a sha256sum-style checksums file (a path or
#                      URL) for a maintainer to review and commit; installs nothing
# Exit status: 0 done, 1 refused or failed, 2 bad usage.
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
name="download-op-deployer"
default_base_url="https://github.com/ethereum-optimism/optimism/releases/download"
known_platforms="linux-amd64 darwin-amd64 darwin-arm64"

die() {
  echo "$name: $1" >&2
  exit "${2:-1}"
}
usage() {
  sed -n '2,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//'
}

version=""
platform=""
cache_root="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/every-channel/op-deployer"
base_url="$default_base_url"
archive=""
bin_dir=""
pins="${OP_DEPLOYER_PINS:-$script_dir/op-deployer.pins}"
print_pins=""

need_value() {
  [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value (see --help)" 2
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --version) need_value "$@"; version="$2"; shift 2 ;;
    --platform) need_value "$@"; platform="$2"; shift 2 ;;
    --cache-dir) need_value "$@"; cache_root="$2"; shift 2 ;;
    --mirror) need_value "$@"; base_url="${2%/}"; shift 2 ;;
    --archive) need_value "$@"; archive="$2"; shift 2 ;;
    --bin-dir) need_value "$@"; bin_dir="$2"; shift 2 ;;
    --pins) need_value "$@"; pins="$2"; shift 2 ;;
    --print-pins) need_value "$@"; print_pins="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" 2 ;;
  esac
done

[[ -f "$pins" ]] || die "pins file $pins does not exist"

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is installed; cannot check the archive"
  fi
}

# Pinned versions, in file order (comments and blank lines skipped).
pinned_versions="$(awk '!/^[[:space:]]*(#|$)/ { if (!seen[$1]++) print $1 }' "$pins")"
[[ -n "$pinned_versions" ]] || die "pins file $pins pins no version"
if [[ -z "$version" ]]; then
  version="$(printf '%s\n' "$pinned_versions" | head -n 1)"
fi
version="${version#v}"
if ! printf '%s\n' "$pinned_versions" | grep -qxF -- "$version"; then
  die "op-deployer $version is not pinned in $pins (pinned: $(printf '%s\n' "$pinned_versions" | paste -sd, -)); add its sha256 there first"
fi

if [[ -n "$print_pins" ]]; then
  sums="$(mktemp)"
  trap 'rm -f "$sums"' EXIT
  if [[ "$print_pins" =~ ^[a-z]+:// ]]; then
    curl --fail --silent --show-error --location --retry 2 -o "$sums" "$print_pins" ||
      die "could not fetch checksums file $print_pins"
  else
    [[ -f "$print_pins" ]] || die "checksums file $print_pins does not exist"
    cp "$print_pins" "$sums"
  fi
  found=0
  for p in $known_platforms; do
    asset="op-deployer-$version-$p.tar.gz"
    sum="$(awk -v a="$asset" '{ f = $2; sub(/^\*/, "", f); if (f == a) print tolower($1) }' "$sums" | head -n 1)"
    if [[ "$sum" =~ ^[0-9a-f]{64}$ ]]; then
      echo "$version $p $sum"
      found=$((found + 1))
    fi
  done
  [[ $found -gt 0 ]] || die "checksums file $print_pins lists no op-deployer-$version-<platform>.tar.gz"
  echo "# $found pin line(s) for op-deployer $version from $print_pins: check them against a second source before committing them to $pins" >&2
  exit 0
fi

if [[ -z "$platform" ]]; then
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "unsupported operating system $(uname -s); pass --platform" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=amd64 ;;
    arm64 | aarch64) arch=arm64 ;;
    *) die "unsupported machine $(uname -m); pass --platform" ;;
  esac
  platform="$os-$arch"
fi

pinned="$(awk -v v="$version" -v p="$platform" '$1 == v && $2 == p { print $3 }' "$pins" | head -n 1)"
if [[ -z "$pinned" ]]; then
  die "op-deployer $version has no pin for platform $platform in $pins"
fi
if [[ "$pinned" == "-" ]]; then
  die "op-deployer $version $platform has no verified sha256 in $pins yet; pin it first (docs/runbooks/op-stack-bring-up.md, step 3)"
fi
pinned="$(printf '%s' "$pinned" | tr 'A-F' 'a-f')"
[[ "$pinned" =~ ^[0-9a-f]{64}$ ]] || die "pins file $pins: sha256 for $version $platform is not 64 hex digits (got '$pinned')"

asset="op-deployer-$version-$platform.tar.gz"
top="op-deployer-$version-$platform"
cache="$cache_root/$version"
cached_archive="$cache/$asset"
binary="$cache/$top/op-deployer"
mkdir -p "$cache"

link_binary() {
  if [[ -n "$bin_dir" ]]; then
    mkdir -p "$bin_dir"
    ln -sfn "$binary" "$bin_dir/op-deployer"
    echo "linked $bin_dir/op-deployer -> $binary"
  fi
  echo "op-deployer: $binary"
}

if [[ -f "$cached_archive" && -x "$binary" ]]; then
  if [[ "$(sha256_of "$cached_archive")" == "$pinned" ]]; then
    echo "op-deployer $version $platform already in $cache (sha256 $pinned matches the pin); nothing downloaded"
    link_binary
    exit 0
  fi
  echo "cached $cached_archive does not match the pin; fetching it again"
fi
rm -rf "${cache:?}/${top:?}"

incoming="$(mktemp "$cache/.incoming.XXXXXX")"
staging=""
cleanup() {
  rm -f "$incoming"
  if [[ -n "$staging" ]]; then rm -rf "$staging"; fi
}
trap cleanup EXIT

if [[ -n "$archive" ]]; then
  [[ -f "$archive" ]] || die "offline archive $archive does not exist"
  cp "$archive" "$incoming"
  source_desc="offline file $archive"
else
  url="$base_url/op-deployer%2Fv$version/$asset"
  echo "downloading $url"
  if ! curl --fail --silent --show-error --location --retry 2 -o "$incoming" "$url"; then
    die "download of $url failed; nothing was unpacked (offline: pass --archive FILE; mirror: --mirror URL)"
  fi
  source_desc="$url"
fi

actual="$(sha256_of "$incoming")"
if [[ "$actual" != "$pinned" ]]; then
  die "sha256 mismatch for $asset from $source_desc: pinned $pinned, got $actual; refused, nothing was unpacked"
fi
echo "sha256 $actual matches the pin for $asset"

# Only a verified archive gets this far. Its entries must all live under the expected top folder.
while IFS= read -r entry; do
  case "$entry" in
    "$top" | "$top/" | "$top"/*) ;;
    *) die "archive $asset holds an unexpected entry '$entry'; refused" ;;
  esac
  case "/$entry/" in
    */../*) die "archive $asset holds a path with '..' ('$entry'); refused" ;;
  esac
done < <(tar -tzf "$incoming")

staging="$(mktemp -d "$cache/.unpack.XXXXXX")"
tar -xzf "$incoming" -C "$staging" --no-same-owner
[[ -f "$staging/$top/op-deployer" ]] || die "archive $asset has no $top/op-deployer"
chmod 0755 "$staging/$top/op-deployer"
mv "$staging/$top" "$cache/$top"
mv "$incoming" "$cached_archive"
echo "installed op-deployer $version $platform from $source_desc into $cache/$top"
link_binary
