#!/usr/bin/env bash
# `make package` as an operator installs it: builds the .deb from the build tree, unpacks it and
# checks what a service needs: the binary runs, the unit passes `systemd-analyze verify`, the
# man page and bash completion are there, and the configuration it ships is valid.
set -euo pipefail
build_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_test: $*" >&2; exit 1; }

(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/out/ponte_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb in $work/out"
dpkg-deb -x "$deb" "$work/root"
dpkg-deb -e "$deb" "$work/control"
root=$work/root

for f in usr/bin/ponte usr/lib/systemd/system/ponte.service usr/lib/sysusers.d/ponte.conf etc/ponte/ponte.toml \
         usr/share/man/man1/ponte.1.gz usr/share/bash-completion/completions/ponte usr/share/doc/ponte/deploy.md; do
  [ -e "$root/$f" ] || fail "the package has no /$f"
done
grep -qx /etc/ponte/ponte.toml "$work/control/conffiles" || fail "/etc/ponte/ponte.toml is not a conffile (an upgrade would overwrite it)"
[ -x "$work/control/postinst" ] || fail "no postinst (the ponte user would not exist)"
grep -q '^Depends:.*libcurl' "$work/control/control" || fail "Depends misses the shared libraries: $(grep ^Depends "$work/control/control")"

"$root/usr/bin/ponte" --version | grep -q '^ponte ' || fail "the packaged binary does not run"
zcat "$root/usr/share/man/man1/ponte.1.gz" | grep -q 'Exit codes' || fail "the man page is not ponte's --help"
bash -n "$root/usr/share/bash-completion/completions/ponte" || fail "bash completion has a syntax error"

# The shipped configuration is valid; with keys given it is ready to run.
PONTE_PLOOMES_KEY=k PONTE_MILVUS_TOKEN=k PONTE_STORE= \
  "$root/usr/bin/ponte" config check --config "$root/etc/ponte/ponte.toml" >"$work/check.log" 2>&1 ||
  { cat "$work/check.log"; fail "the shipped ponte.toml does not pass config check"; }

unit=$root/usr/lib/systemd/system/ponte.service
grep -q '^Type=notify' "$unit" || fail "the unit is not Type=notify"
grep -q '^User=ponte' "$unit" || fail "the unit does not run as its own user"
# The unit as installed, with ExecStart pointing at the unpacked binary (systemd checks that it
# exists), verified by this machine's systemd; the man page is checked above, from the package.
mkdir -p "$work/unit"
sed "s|/usr/bin/ponte|$root/usr/bin/ponte|g" "$unit" >"$work/unit/ponte.service"
if ! systemd-analyze verify --man=no "$work/unit/ponte.service" >"$work/verify.log" 2>&1; then
  cat "$work/verify.log"
  fail "systemd-analyze verify refused the unit"
fi
if grep '^ponte.service\|/ponte.service:' "$work/verify.log"; then fail "systemd-analyze verify warned about the unit"; fi
# The package as a Debian maintainer would check it: no lintian error or warning.
lintian --fail-on error,warning "$deb" >"$work/lintian.log" 2>&1 ||
  { grep -v 'running with root privileges' "$work/lintian.log"; fail "lintian found errors or warnings in the package"; }
for tag in hardening-no-bindnow hardening-no-fortify-functions hardening-no-relro; do
  if lintian -I --tags "$tag" "$deb" 2>/dev/null | grep -q "$tag"; then fail "the binary is not hardened: lintian says $tag"; fi
done
echo "package_test: $(basename "$deb") ok"
