#!/busybox/sh
# Launcher for the bundled "notify" Node SEA.  Runs it through the bundled glibc
# loader + libs so nothing from the surrounding image (/lib64, /lib, ...) is used.
# Layout: <root>/bin/notify (this), <root>/lib/{ld-linux-x86-64.so.2,*.so*}, <root>/libexec/notify
self=$0
case $self in */*) ;; *) self=$(command -v -- "$self") || exit 127 ;; esac
if [ -L "$self" ]; then   # launcher reached through a symlink: resolve it
  self=$(readlink -f -- "$self" 2>&-) || self=$(/busybox/busybox readlink -f -- "$0" 2>&-) || {
    echo "notify: cannot resolve symlink $0" >&2; exit 127; }
fi
root=$(cd -P -- "${self%/*}/.." && pwd -P) || exit 127
exec "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib" "$root/libexec/notify" "$@"
