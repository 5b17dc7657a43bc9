#!/usr/bin/env bash
# Installs what the tests and the native build (scripts/native-deps.sh) need on Debian bookworm.
# Run as root; safe to run again.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "setup: must run as root" >&2
  exit 1
fi

# deb-src entries for the same archives and suites as the deb ones (apt-get source needs them).
main=/etc/apt/sources.list.d/debian.sources
src=/etc/apt/sources.list.d/notify-src.sources
echo "setup: writing $src"
if [ -f "$main" ] && grep -Eq '^Types:(.* )?deb( |$)' "$main"; then
  sed -e '/^#/d' -e 's/^Types:.*/Types: deb-src/' "$main" >"$src.tmp"
else
  cat >"$src.tmp" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi
mv "$src.tmp" "$src"

# arm64 as a foreign architecture: the arm64 executable is built against Debian's arm64 musl and
# its debug image takes Debian's arm64 busybox.
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64

echo "setup: apt-get update"
apt-get update -qq

packages=(
  # tests
  docker.io busybox-static rsync binutils ca-certificates openssl git curl
  # native build: musl toolchain; gcc and libc6-dev (not pulled in without recommends) for the
  # host qjsc; dpkg-dev for apt-get source (it brings patch, xz-utils and perl); file for checks
  musl-tools musl-dev gcc libc6-dev make dpkg-dev file
  # arm64: a cross compiler, arm64 musl, and qemu to run what it builds
  gcc-aarch64-linux-gnu musl-dev:arm64 qemu-user-static
  # the multi-platform images: written as OCI layouts, copied with skopeo into a local registry
  # (Debian's docker-registry, the reference implementation) and pulled by the Docker daemon
  skopeo docker-registry
)
# npm fetches QuickJS's sources; the project's machines have it, a bare Debian does not.
command -v npm >/dev/null || packages+=(nodejs npm)

echo "setup: apt-get install ${packages[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

echo "setup: done"
