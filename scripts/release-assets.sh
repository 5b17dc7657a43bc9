#!/usr/bin/env bash
# Makes dist/release: the executables under their release names and SHA256SUMS beside them, as
# both release pipelines publish them (GitLab's generic packages, GitHub's release assets).
#   bash scripts/release-assets.sh <tag>
# The tag must be package.json's version: the version lives there and only there.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${1:-}
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' package.json)
if [ -z "$tag" ] || [ "$tag" != "$version" ]; then
  echo "release-assets: the tag \"$tag\" is not package.json's version \"$version\"" >&2
  exit 2
fi
for exe in dist/notify dist/notify-linux-arm64; do
  [ -x "$exe" ] || { echo "release-assets: $exe is missing: run npm run build" >&2; exit 2; }
done
[ "$(dist/notify --version)" = "$version" ] || {
  echo "release-assets: dist/notify --version is not $version: build again" >&2
  exit 2
}

rm -rf dist/release
mkdir -p dist/release
cp dist/notify dist/release/notify-linux-amd64
cp dist/notify-linux-arm64 dist/release/notify-linux-arm64
(cd dist/release && sha256sum notify-linux-amd64 notify-linux-arm64 >SHA256SUMS)
echo "release-assets: dist/release for $version:"
sed 's/^/  /' dist/release/SHA256SUMS
