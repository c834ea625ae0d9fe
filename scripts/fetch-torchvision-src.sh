#!/usr/bin/env bash
# Fetches torchvision 0.14.1's upstream sources (the version Debian 12
# packages) from Debian's source archive into .cache/, for the test that runs
# the torchvision preset against Debian's prebuilt python3-torchvision.
# Only the upstream tarball is needed; Debian's patch tarball is missing from
# the archive, which apt reports as a failed fetch, so success is judged by
# the upstream tarball being there.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/debian-src
tarball=pytorch-vision_0.14.1.orig.tar.gz
[ -d "$dest/vision-0.14.1/torchvision/csrc" ] && exit 0
mkdir -p "$dest"

list=/etc/apt/sources.list.d/thread-scaling-check-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src' /etc/apt/sources.list; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $sudo tee "$list" >/dev/null
  $sudo apt-get update -q
fi

(
  cd "$dest"
  if ! apt-get source --download-only pytorch-vision=0.14.1-2; then
    [ -s "$tarball" ] || { echo "fetch-torchvision-src: apt-get could not fetch $tarball" >&2; exit 1; }
    echo "fetch-torchvision-src: the Debian patch tarball is missing from the archive; the upstream tarball is all the test needs." >&2
  fi
  tar xzf "$tarball" --wildcards 'vision-0.14.1/torchvision/csrc/*'
)
echo "torchvision 0.14.1 sources in $dest/vision-0.14.1"
