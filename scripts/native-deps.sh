#!/usr/bin/env bash
# Builds the static libraries of the native executable into build/native:
#   include/   quickjs.h cutils.h list.h, curl/, mbedtls/, psa/
#   lib/       libquickjs.a libcurl.a libmbedtls.a libmbedx509.a libmbedcrypto.a (musl, -Os)
#   bin/qjsc   host compiler whose bytecode lib/libquickjs.a reads (same QuickJS, same config)
#   ca-certificates.crt  Mozilla's CA list as Debian ships it (only those: never the build
#              machine's own additions), for the images and as the executable's fallback
#   STAMP      what was built; when it matches, nothing is done
# Needs scripts/setup-debian.sh to have run (musl-tools, dpkg-dev, deb-src entries).
set -euo pipefail

QJS_NPM=qjsc@0.3.0 # carries QuickJS's C sources in deps/quickjs_2021_03_27
QJS_VERSION=2021-03-27
# = npm's dist.integrity sha512-a7+cU6/IVcZbIejffdt/wZVMX6LL2MDL3HQ9Zb5Gm23G9DvBMS/z9GHFxz39bAvp2PvMOM+ypSOAyokt2DdZ2w==
QJS_SHA512=6bbf9c53afc855c65b21e8df7ddb7fc1954c5fa2cbd8c0cbdc743d65be469b6dc6f43bc1312ff3f461c5c73dfd6c0be9d8fbcc38cfb2a52380ca892dd83759db
CURL_VERSION=7.88.1-10+deb12u15
MBEDTLS_VERSION=2.28.3-1
CA_VERSION=20250419~deb12u2 # Debian's ca-certificates

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/native
# The script's own hash is in the stamp so that a changed recipe rebuilds too.
stamp="quickjs=$QJS_VERSION($QJS_NPM) curl=$CURL_VERSION mbedtls=$MBEDTLS_VERSION ca=$CA_VERSION recipe=$(sha256sum "$0" | cut -c1-12)"

say() { echo "native-deps: $*"; }
die() { echo "native-deps: $*" >&2; exit 1; }
# Runs a command with its output in a log; on failure shows the log's end.
logged() {
  local log=$1; shift
  "$@" >"$log" 2>&1 || { tail -n 40 "$log" >&2; die "failed: $1 (log: $log)"; }
}
# Unpacks (with Debian's patches) a pinned Debian source package into the current directory.
fetch_src() {
  apt-get source -q "$1=$2" >"$1-fetch.log" 2>&1 && return
  local offered
  offered=$(apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ')
  die "Debian source $1=$2 cannot be fetched (log: $PWD/$1-fetch.log); set ${1^^}_VERSION in" \
    "scripts/native-deps.sh to one apt offers: ${offered:-none, run scripts/setup-debian.sh as root}"
}

built() { [ -f "$out/STAMP" ] && [ "$(cat "$out/STAMP")" = "$stamp" ]; }
built && exit 0
# One build at a time (two would wipe each other's tree); a waiting one finds the work done.
mkdir -p "$root/build"
exec 9>"$root/build/native.lock"
flock -n 9 || { say "waiting for another run to finish"; flock 9; }
built && exit 0

for tool in musl-gcc gcc ar make npm apt-get dpkg-source dpkg-deb; do
  command -v "$tool" >/dev/null || die "$tool not found: run scripts/setup-debian.sh as root"
done

rm -rf "$out"
src=$out/src
mkdir -p "$src" "$out/include" "$out/lib" "$out/bin"
cd "$src"
cflags=(-Os -ffunction-sections -fdata-sections)
# mbed TLS's randomness comes from the program's getrandom(2) (mbedtls_hardware_poll), not from
# /dev/urandom, which FROM-scratch images and bare chroots lack. Everything that includes mbed
# TLS's headers is built with these (scripts/build.ts too).
tls_defs=(-DMBEDTLS_NO_PLATFORM_ENTROPY -DMBEDTLS_ENTROPY_HARDWARE_ALT)

say "fetching QuickJS $QJS_VERSION (npm $QJS_NPM), mbedtls $MBEDTLS_VERSION and curl $CURL_VERSION (Debian sources)"
# npm pack only downloads: the package's install script never runs.
logged npm-pack.log npm pack "$QJS_NPM" --pack-destination "$src" --ignore-scripts
tgz=$src/${QJS_NPM/@/-}.tgz
echo "$QJS_SHA512  $tgz" | sha512sum -c --status - || die "$tgz: sha512 is not the pinned one"
mkdir quickjs
tar -xzf "$tgz" -C quickjs --strip-components=3 package/deps/quickjs_2021_03_27
[ "$(cat quickjs/VERSION)" = "$QJS_VERSION" ] || die "QuickJS VERSION is $(cat quickjs/VERSION), not $QJS_VERSION"
fetch_src mbedtls "$MBEDTLS_VERSION"
fetch_src curl "$CURL_VERSION"
apt-get download -q "ca-certificates=$CA_VERSION" >ca-fetch.log 2>&1 ||
  die "Debian package ca-certificates=$CA_VERSION cannot be fetched (log: $PWD/ca-fetch.log); set" \
    "CA_VERSION in scripts/native-deps.sh to one apt offers: $(apt-cache madison ca-certificates | cut -d'|' -f2 | tr -d ' ' | tr '\n' ' ')"
dpkg-deb -x ca-certificates_*.deb ca
cat $(LC_ALL=C ls ca/usr/share/ca-certificates/mozilla/*.crt) >"$out/ca-certificates.crt"
mbedtls=$src/mbedtls-${MBEDTLS_VERSION%%-*}
curl=$src/curl-${CURL_VERSION%%-*}

say "building QuickJS"
SECONDS=0
cd quickjs
# As QuickJS's Makefile, less CONFIG_BIGNUM (so libbf.c is not needed) and less quickjs-libc.c in
# the library. qjsc must use the same defines: the bytecode format depends on CONFIG_BIGNUM.
defs=(-D_GNU_SOURCE "-DCONFIG_VERSION=\"$QJS_VERSION\"")
libsrc=(quickjs libregexp libunicode cutils)
mkdir musl host
(
  for f in "${libsrc[@]}"; do musl-gcc "${cflags[@]}" "${defs[@]}" -c $f.c -o musl/$f.o; done
  ar rcs "$out/lib/libquickjs.a" musl/*.o
) >musl.log 2>&1 &
musl=$!
(
  for f in "${libsrc[@]}" quickjs-libc qjsc; do gcc -O2 "${defs[@]}" -c $f.c -o host/$f.o; done
  gcc -o "$out/bin/qjsc" host/*.o -lm -ldl -lpthread
) >host.log 2>&1 &
host=$!
wait $musl || { tail -n 40 musl.log >&2; die "libquickjs.a failed (log: $PWD/musl.log)"; }
wait $host || { tail -n 40 host.log >&2; die "qjsc failed (log: $PWD/host.log)"; }
cp quickjs.h cutils.h list.h "$out/include/"
echo '1 + 1' >check.js
logged check.log "$out/bin/qjsc" -c -o check.c -N check check.js
say "QuickJS done in ${SECONDS}s"
cd "$src"

say "building mbedtls"
SECONDS=0
logged mbedtls.log make -C "$mbedtls" -j2 lib CC=musl-gcc CFLAGS="${cflags[*]} ${tls_defs[*]}"
cp -r "$mbedtls/include/mbedtls" "$mbedtls/include/psa" "$out/include/"
cp "$mbedtls"/library/lib{mbedtls,mbedx509,mbedcrypto}.a "$out/lib/"
say "mbedtls done in ${SECONDS}s"

say "building curl"
SECONDS=0
# curl's configure wants DIR/include and DIR/lib.
mkdir mbedtls-prefix
ln -s "$mbedtls/include" mbedtls-prefix/include
ln -s "$mbedtls/library" mbedtls-prefix/lib
cd "$curl"
# Debian's patches also edit configure.ac and Makefile.am (for its GnuTLS and NSS flavours);
# the shipped configure and Makefile.in are used as they are, without autoreconf, which builds
# plain libcurl.a. No CA bundle or path is built in: the program gives its own.
# --disable-verbose is left out: it would make curl_easy_strerror() say only "Error".
# PKG_CONFIG=false: the host's glibc .pc files must not leak into a musl build.
logged "$src/curl-configure.log" env PKG_CONFIG=false ./configure \
  CC=musl-gcc CFLAGS="${cflags[*]} ${tls_defs[*]}" \
  --disable-shared --enable-static --disable-dependency-tracking \
  --with-mbedtls="$src/mbedtls-prefix" --without-ca-bundle --without-ca-path \
  --enable-http --enable-proxy --enable-ipv6 --enable-threaded-resolver \
  --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
  --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smtp --disable-smb \
  --disable-gopher --disable-mqtt --disable-manual --disable-libcurl-option \
  --disable-cookies --disable-alt-svc --disable-hsts --disable-doh --disable-netrc \
  --disable-ntlm --disable-ntlm-wb --disable-crypto-auth --disable-tls-srp \
  --disable-unix-sockets --disable-progress-meter --disable-get-easy-options --disable-websockets \
  --without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 \
  --without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-librtmp \
  --without-libssh --without-libssh2 --without-gssapi
logged "$src/curl-make.log" make -C lib -j2
cp -r include/curl "$out/include/"
rm -f "$out"/include/curl/Makefile*
cp lib/.libs/libcurl.a "$out/lib/"
say "curl done in ${SECONDS}s"

echo "$stamp" >"$out/STAMP"
say "built $out: $(cd "$out/lib" && ls | tr '\n' ' ')"
