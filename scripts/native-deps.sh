#!/usr/bin/env bash
# Builds the static libraries of the native executable for one architecture:
#   scripts/native-deps.sh [amd64]  into build/native, for x86-64
#   scripts/native-deps.sh arm64    into build/native-arm64, for aarch64 (cross-compiled)
# Each holds:
#   include/   quickjs.h cutils.h list.h, curl/, mbedtls/, psa/
#   lib/       libquickjs.a libcurl.a libmbedtls.a libmbedx509.a libmbedcrypto.a (musl, -Os)
#   bin/qjsc   amd64: the host compiler whose bytecode lib/libquickjs.a reads (same QuickJS, same
#              config). arm64: the same compiler built for aarch64 (static, run under qemu):
#              scripts/build.ts checks that its bytecode is the host's, byte for byte, so that
#              both executables take the host's
#   STAMP      what was built; when it matches, nothing is done
# and, in one of them only:
#   ca-certificates.crt  amd64: Mozilla's CA list as Debian ships it (only those: never the build
#              machine's own additions), for the images and as the executable's fallback; the
#              same list for both architectures
#   bin/busybox  arm64: Debian's static busybox for arm64, for the arm64 debug image
# Needs scripts/setup-debian.sh to have run (musl-tools, dpkg-dev, deb-src entries; for arm64,
# gcc-aarch64-linux-gnu, musl-dev:arm64 and qemu-user-static).
set -euo pipefail

QJS_NPM=qjsc@0.3.0 # carries QuickJS's C sources in deps/quickjs_2021_03_27
QJS_VERSION=2021-03-27
# = npm's dist.integrity sha512-a7+cU6/IVcZbIejffdt/wZVMX6LL2MDL3HQ9Zb5Gm23G9DvBMS/z9GHFxz39bAvp2PvMOM+ypSOAyokt2DdZ2w==
QJS_SHA512=6bbf9c53afc855c65b21e8df7ddb7fc1954c5fa2cbd8c0cbdc743d65be469b6dc6f43bc1312ff3f461c5c73dfd6c0be9d8fbcc38cfb2a52380ca892dd83759db
CURL_VERSION=7.88.1-10+deb12u15
MBEDTLS_VERSION=2.28.3-1
CA_VERSION=20250419~deb12u2 # Debian's ca-certificates
BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1 # Debian's busybox-static:arm64

root=$(cd "$(dirname "$0")/.." && pwd)
arch=${1:-amd64}
say() { echo "native-deps $arch: $*"; }
die() { echo "native-deps $arch: $*" >&2; exit 1; }

# What differs between the architectures: the compiler (musl's gcc wrapper, Debian's), the
# binutils, how bin/qjsc runs, and the one Debian package each fetches besides the sources.
tools=(make npm apt-get dpkg-source dpkg-deb)
case $arch in
  amd64)
    out=$root/build/native
    cc=musl-gcc ar=ar
    run=()
    cross=()
    tools+=(musl-gcc gcc ar strip file)
    extra="ca=$CA_VERSION"
    setup="run scripts/setup-debian.sh as root"
    ;;
  arm64)
    out=$root/build/native-arm64
    # musl-dev:arm64's wrapper: Debian's aarch64 cross gcc with arm64 musl's specs.
    cc=aarch64-linux-musl-gcc ar=aarch64-linux-gnu-ar
    run=(qemu-aarch64-static)
    # curl's configure: a cross build, with the cross binutils (it would look for
    # aarch64-linux-musl-ar, which nothing installs).
    cross=(--host=aarch64-linux-musl AR=$ar RANLIB=aarch64-linux-gnu-ranlib)
    tools+=(aarch64-linux-musl-gcc aarch64-linux-gnu-gcc "$ar" aarch64-linux-gnu-ranlib
      aarch64-linux-gnu-strip qemu-aarch64-static file)
    extra="busybox=$BUSYBOX_VERSION"
    setup="the arm64 build needs gcc-aarch64-linux-gnu, musl-dev:arm64 and qemu-user-static from Debian: run scripts/setup-debian.sh as root"
    ;;
  *) die "no such architecture (amd64 or arm64)" ;;
esac
# Checked even when the libraries are built: scripts/build.ts compiles and runs with the same.
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || die "$tool not found: $setup"
done
# The script's own hash is in the stamp so that a changed recipe rebuilds too.
stamp="arch=$arch quickjs=$QJS_VERSION($QJS_NPM) curl=$CURL_VERSION mbedtls=$MBEDTLS_VERSION $extra recipe=$(sha256sum "$0" | cut -c1-12)"

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
# One build at a time for each tree (two would wipe each other's); a waiting one finds the work
# done. The two architectures' trees build side by side.
mkdir -p "$root/build"
exec 9>"$out.lock"
flock -n 9 || { say "waiting for another run to finish"; flock 9; }
built && exit 0

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
# Downloads a pinned Debian package (package[:arch], version, its variable here) and unpacks it
# into the directory named after the package.
fetch_deb() {
  local name=${1%%:*}
  apt-get download -q "$1=$2" >"$name-fetch.log" 2>&1 ||
    die "Debian package $1=$2 cannot be fetched (log: $PWD/$name-fetch.log); set $3 in" \
      "scripts/native-deps.sh to one apt offers: $(apt-cache madison "$1" | cut -d'|' -f2 | tr -d ' ' | tr '\n' ' ')"
  dpkg-deb -x "$name"_*.deb "$name"
}
case $arch in
  amd64)
    fetch_deb ca-certificates "$CA_VERSION" CA_VERSION
    cat $(LC_ALL=C ls ca-certificates/usr/share/ca-certificates/mozilla/*.crt) >"$out/ca-certificates.crt"
    ;;
  arm64)
    fetch_deb busybox-static:arm64 "$BUSYBOX_VERSION" BUSYBOX_VERSION
    cp busybox-static/bin/busybox "$out/bin/busybox"
    kind=$(file -b "$out/bin/busybox")
    [[ $kind == *"ARM aarch64"* && $kind == *"statically linked"* ]] ||
      die "busybox-static:arm64's busybox is not a static arm64 executable: $kind"
    ;;
esac
mbedtls=$src/mbedtls-${MBEDTLS_VERSION%%-*}
curl=$src/curl-${CURL_VERSION%%-*}

say "building QuickJS"
SECONDS=0
cd quickjs
# As QuickJS's Makefile, less CONFIG_BIGNUM (so libbf.c is not needed) and less quickjs-libc.c in
# the library. qjsc must use the same defines: the bytecode format depends on CONFIG_BIGNUM.
defs=(-D_GNU_SOURCE "-DCONFIG_VERSION=\"$QJS_VERSION\"")
libsrc=(quickjs libregexp libunicode cutils)
mkdir lib qjsc
(
  for f in "${libsrc[@]}"; do $cc "${cflags[@]}" "${defs[@]}" -c $f.c -o lib/$f.o; done
  $ar rcs "$out/lib/libquickjs.a" lib/*.o
) >lib.log 2>&1 &
lib=$!
if [ "$arch" = amd64 ]; then
  (
    for f in "${libsrc[@]}" quickjs-libc qjsc; do gcc -O2 "${defs[@]}" -c $f.c -o qjsc/$f.o; done
    gcc -o "$out/bin/qjsc" qjsc/*.o -lm -ldl -lpthread
  ) >qjsc.log 2>&1 &
else
  # Only to compare its bytecode with the host's: what the library's objects lack.
  (for f in quickjs-libc qjsc; do $cc "${cflags[@]}" "${defs[@]}" -c $f.c -o qjsc/$f.o; done) >qjsc.log 2>&1 &
fi
qjsc=$!
wait $lib || { tail -n 40 lib.log >&2; die "libquickjs.a failed (log: $PWD/lib.log)"; }
wait $qjsc || { tail -n 40 qjsc.log >&2; die "qjsc failed (log: $PWD/qjsc.log)"; }
if [ "$arch" = arm64 ]; then
  logged qjsc-link.log $cc -static -o "$out/bin/qjsc" qjsc/*.o lib/*.o -lm -lpthread
fi
cp quickjs.h cutils.h list.h "$out/include/"
echo '1 + 1' >check.js
logged check.log "${run[@]}" "$out/bin/qjsc" -c -o check.c -N check check.js
say "QuickJS done in ${SECONDS}s"
cd "$src"

say "building mbedtls"
SECONDS=0
logged mbedtls.log make -C "$mbedtls" -j2 lib CC=$cc AR=$ar CFLAGS="${cflags[*]} ${tls_defs[*]}"
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
logged "$src/curl-configure.log" env PKG_CONFIG=false ./configure "${cross[@]}" \
  CC=$cc CFLAGS="${cflags[*]} ${tls_defs[*]}" \
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
