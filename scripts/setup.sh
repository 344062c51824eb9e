#!/bin/sh
# Set up everything `make test` and `make demo` need, idempotently.
# A second run only checks and takes seconds. Policy: ../shared/toolchain.md.
#
#   WASM_TOOLCHAIN=auto    (default) use the active rustup toolchain when it has the wasm32 std,
#                          else the Debian route (rustc-web + a wasm32 std built once, linked as `rust-web`)
#   WASM_TOOLCHAIN=debian  force the Debian route
set -eu
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# RUSTUP_TOOLCHAIN is kept: it names the active toolchain, which route 1 uses as it is.
unset RUSTFLAGS CARGO_BUILD_TARGET CARGO_BUILD_RUSTFLAGS CARGO_TARGET_DIR || true
PATH="$HOME/.cargo/bin:$PATH"

say() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }

WASM_TOOLCHAIN=${WASM_TOOLCHAIN:-auto}
WASM_BINDGEN_VERSION=$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' Cargo.lock)
[ -n "$WASM_BINDGEN_VERSION" ] || fail "no wasm-bindgen in Cargo.lock; run 'cargo generate-lockfile'"
WASM_PACK_VERSION=0.15.1
# geckodriver (Firefox's WebDriver) from the crates registry, pinned; Debian ships none.
GECKODRIVER_VERSION=0.37.1

need_apt=""
need_pkg() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt="$need_apt $p"
  done
}

has_wasm_std() {
  dir=$(rustc "$@" --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
  ls "$dir"/libcore-*.rlib >/dev/null 2>&1
}

route=rustup
if [ "$WASM_TOOLCHAIN" = debian ] || ! has_wasm_std; then
  route=debian
  need_pkg rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy rustfmt-web lld-22
fi
need_pkg chromium chromium-driver
# The other two engines of the end-to-end tests: Firefox ESR, and WebKitGTK through its
# WebDriver (WebKitWebDriver drives WebKitGTK's MiniBrowser, which needs a display: Xvfb).
need_pkg firefox-esr webkit2gtk-driver xvfb
if [ -n "$need_apt" ]; then
  say "installing Debian packages:$need_apt (wasm32 toolchain route '$route'; Chromium, Firefox ESR and WebKitGTK with their WebDriver servers and Xvfb for the browser tests)"
  command -v apt-get >/dev/null || fail "apt-get not found; install$need_apt by hand"
  apt-get update -qq || fail "apt-get update failed; check the network to Debian's mirror"
  apt-get install -y -qq --no-install-recommends $need_apt >/dev/null || fail "apt-get install$need_apt failed"
fi

if [ "$route" = debian ]; then
  RUSTC=/usr/bin/rustc
  SRC=$($RUSTC --print sysroot)/lib/rustlib/src/rust/library
  DEST=$($RUSTC --print target-libdir --target wasm32-unknown-unknown)
  STAMP="$DEST/.std-built-for-$($RUSTC -vV | sed -n 's/^commit-hash: //p')"
  if [ ! -f "$STAMP" ]; then
    say "building the wasm32 std from rust-web-src once (about 1 minute): Debian ships rustc-web without it"
    BUILD=$(mktemp -d /var/tmp/wasm32-std.XXXXXX)
    ( cd "$SRC/sysroot" && RUSTC=$RUSTC RUSTC_BOOTSTRAP=1 \
        CARGO_ENCODED_RUSTFLAGS="$(printf '%s\037%s' -Zforce-unstable-if-unmarked -Zinline-mir)" \
        /usr/bin/cargo build --quiet --locked --profile dist \
          --manifest-path "$SRC/sysroot/Cargo.toml" --target wasm32-unknown-unknown \
          --features "panic-unwind backtrace" --target-dir "$BUILD" ) || fail "wasm32 std build failed (see above)"
    mkdir -p "$DEST"; rm -f "$DEST"/*.rlib "$DEST"/*.rmeta "$DEST"/.std-built-for-*
    cp "$BUILD"/wasm32-unknown-unknown/dist/deps/*.rlib "$DEST"/; rm -rf "$BUILD"; touch "$STAMP"
  fi
  mkdir -p /opt/rust-web/bin /opt/rust-web/lib
  for b in rustc rustdoc cargo cargo-clippy clippy-driver rustfmt cargo-fmt; do
    [ -e "/usr/bin/$b" ] && ln -sfn "/usr/bin/$b" "/opt/rust-web/bin/$b"
  done
  ln -sfn /usr/lib/rustlib /opt/rust-web/lib/rustlib
  if ! rustup toolchain list | grep -q '^rust-web'; then
    say "linking Debian's rustc-web as the rustup toolchain 'rust-web'"
    rustup toolchain link rust-web /opt/rust-web
  fi
  has_wasm_std +rust-web || fail "toolchain rust-web has no wasm32 std; remove $DEST/.std-built-for-* and re-run"
fi
# Rewritten only on a change: the Makefile rebuilds the wasm when the route changes.
[ "$(cat .wasm-route 2>/dev/null)" = "$route" ] || echo "$route" > .wasm-route

if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (must equal wasm-bindgen in Cargo.lock; about 2 minutes)"
  # Not --locked: its lock pins a webpki-roots newer than the crates.io index reachable here.
  cargo install --quiet --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" || fail "cargo install wasm-bindgen-cli failed"
fi
if ! wasm-pack --version 2>/dev/null | grep -qx "wasm-pack $WASM_PACK_VERSION"; then
  say "installing wasm-pack $WASM_PACK_VERSION (about 2 minutes)"
  cargo install --quiet --force --locked wasm-pack --version "$WASM_PACK_VERSION" || fail "cargo install wasm-pack failed"
fi

if ! geckodriver --version 2>/dev/null | grep -qE "^geckodriver $GECKODRIVER_VERSION( |$)"; then
  say "installing geckodriver $GECKODRIVER_VERSION from crates.io (Firefox's WebDriver server; 2 to 5 minutes)"
  cargo install --quiet --force --locked geckodriver --version "$GECKODRIVER_VERSION" || fail "cargo install geckodriver failed"
fi
say "browsers: $(chromium --version 2>/dev/null | head -1), $(firefox-esr --version 2>/dev/null), WebKitGTK $(dpkg-query -W -f='${Version}' webkit2gtk-driver)"

if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.setup-lock; then
  say "installing node packages with npm ci (typescript, esbuild, playwright-core, selenium-webdriver, wasm-opt from binaryen, oidc-provider, and the anchors oauth4webapi and oidc-client-ts for the bench)"
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed"
  cp package-lock.json node_modules/.setup-lock
fi
node_modules/.bin/wasm-opt --version >/dev/null 2>&1 || fail "wasm-opt from npm binaryen is missing; run 'npm ci'"
# The bundler layer (make test-bundlers) has its own lock: Vite, webpack, Rollup, esbuild,
# Parcel, publint and attw, pinned in tests/bundlers/package-lock.json.
if [ ! -f tests/bundlers/node_modules/.package-lock.json ] || ! cmp -s tests/bundlers/package-lock.json tests/bundlers/node_modules/.setup-lock; then
  say "installing the bundler test apps' packages with npm ci in tests/bundlers (vite, webpack, rollup, esbuild, parcel, publint, attw)"
  (cd tests/bundlers && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/bundlers failed"
  cp tests/bundlers/package-lock.json tests/bundlers/node_modules/.setup-lock
fi
# The local OAuth 1.0a provider of the end-to-end tests runs on Python's oauthlib, pinned in
# www/oauth1/requirements.txt and installed into .venv (git-ignored; a few seconds cold).
if ! cmp -s www/oauth1/requirements.txt .venv/.setup-requirements 2>/dev/null; then
  command -v python3 >/dev/null || fail "python3 not found (the OAuth 1.0a test provider needs it)"
  say "installing the OAuth 1.0a test provider's Python packages into .venv ($(cat www/oauth1/requirements.txt))"
  python3 -m venv .venv || fail "python3 -m venv failed; install python3-venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r www/oauth1/requirements.txt \
    || fail "pip install -r www/oauth1/requirements.txt failed; check the network to PyPI"
  cp www/oauth1/requirements.txt .venv/.setup-requirements
fi
say "ready (wasm32 route: $route)"
