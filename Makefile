# browser-oauth: `make test` and `make demo` work on a fresh machine; both run the set-up first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/node_modules/.bin:$(PATH)
WASM := scripts/wasm
WASM_PACK_FLAGS := --target web --out-dir pkg/wasm --out-name browser_oauth --no-pack
# The OAuth 1.0a entry (`browser-oauth/oauth1`): the same crate with the `oauth1` feature.
WASM_PACK_FLAGS_OAUTH1 := --target web --out-dir pkg/wasm-oauth1 --out-name browser_oauth_oauth1 --no-pack
# The DPoP and persistence build (loaded by the wrapper only when `dpop` or `persist` is set):
# the OAuth 2 client plus the `dpop` feature.
WASM_PACK_FLAGS_DPOP := --target web --out-dir pkg/wasm-dpop --out-name browser_oauth_dpop --no-pack
# The landing-page entry (`browser-oauth/login`): the OAuth 2 client with the `landing`
# feature, exporting only configuration, discovery and login.
WASM_PACK_FLAGS_LOGIN := --target web --out-dir pkg/wasm-login --out-name browser_oauth_login --no-pack
# Panic locations in the wasm name the source files of the crates it is built from. Without
# this machine's CARGO_HOME in front of them, the wasm is the same whichever the machine
# (and about 100 bytes smaller). Cargo joins this array to the rustflags of .cargo/config.toml.
CARGO_HOME ?= $(HOME)/.cargo
CARGO_REMAP := --config 'target.wasm32-unknown-unknown.rustflags=["--remap-path-prefix=$(CARGO_HOME)/registry/src/="]'
CHROMEDRIVER := /usr/bin/chromedriver
GECKODRIVER := $(HOME)/.cargo/bin/geckodriver
## Engines of the end-to-end tests (tests/e2e/browsers.mjs): any of chromium,firefox,webkit.
BROWSERS ?= chromium,firefox,webkit
export BROWSERS

.PHONY: fuzz setup build test lint test-native test-browser test-ts test-package test-bundlers test-e2e test-bench size demo demo-shots bench clean

## Install everything the other targets need (idempotent; WASM_TOOLCHAIN=debian forces the Debian route).
setup:
	@sh scripts/setup.sh

## Release build of the package: wasm (wasm-pack + wasm-opt) and the TypeScript wrapper.
## Each output is rebuilt only when one of its inputs changed, so a build with nothing
## changed (every `make demo`, `make test`) takes seconds instead of re-running wasm-pack.
RUST_INPUTS := $(shell find src -name '*.rs') Cargo.toml Cargo.lock .cargo/config.toml Makefile .wasm-route scripts/pin-glue.mjs scripts/short-imports.mjs
WASM_OUT := pkg/wasm/browser_oauth_bg.wasm
WASM_OUT_OAUTH1 := pkg/wasm-oauth1/browser_oauth_oauth1_bg.wasm
WASM_OUT_DPOP := pkg/wasm-dpop/browser_oauth_dpop_bg.wasm
WASM_OUT_LOGIN := pkg/wasm-login/browser_oauth_login_bg.wasm
TS_OUT := pkg/dist/index.js
build: setup $(WASM_OUT) $(WASM_OUT_OAUTH1) $(WASM_OUT_DPOP) $(WASM_OUT_LOGIN) $(TS_OUT)

$(WASM_OUT): $(RUST_INPUTS) | setup
	@echo "== build: wasm-pack (release)"
	@$(WASM) wasm-pack --quiet build --release $(WASM_PACK_FLAGS) -- $(CARGO_REMAP) 2>&1 | { grep -v 'failed to get wasm-pack version' || true; }
	@test -f $@ && touch $@
	@node scripts/pin-glue.mjs pkg/wasm/browser_oauth.js
	@node scripts/short-imports.mjs pkg/wasm/browser_oauth.js $@

$(WASM_OUT_OAUTH1): $(RUST_INPUTS) | setup
	@echo "== build: wasm-pack (release, OAuth 1.0a entry)"
	@$(WASM) wasm-pack --quiet build --release $(WASM_PACK_FLAGS_OAUTH1) -- --features oauth1 $(CARGO_REMAP) 2>&1 | { grep -v 'failed to get wasm-pack version' || true; }
	@test -f $@ && touch $@
	@node scripts/pin-glue.mjs pkg/wasm-oauth1/browser_oauth_oauth1.js
	@node scripts/short-imports.mjs pkg/wasm-oauth1/browser_oauth_oauth1.js $@

$(WASM_OUT_DPOP): $(RUST_INPUTS) | setup
	@echo "== build: wasm-pack (release, DPoP and persistence build)"
	@$(WASM) wasm-pack --quiet build --release $(WASM_PACK_FLAGS_DPOP) -- --features dpop $(CARGO_REMAP) 2>&1 | { grep -v 'failed to get wasm-pack version' || true; }
	@test -f $@ && touch $@
	@node scripts/pin-glue.mjs pkg/wasm-dpop/browser_oauth_dpop.js
	@node scripts/short-imports.mjs pkg/wasm-dpop/browser_oauth_dpop.js $@

$(WASM_OUT_LOGIN): $(RUST_INPUTS) | setup
	@echo "== build: wasm-pack (release, landing-page entry)"
	@$(WASM) wasm-pack --quiet build --release $(WASM_PACK_FLAGS_LOGIN) -- --features landing $(CARGO_REMAP) 2>&1 | { grep -v 'failed to get wasm-pack version' || true; }
	@test -f $@ && touch $@
	@node scripts/pin-glue.mjs pkg/wasm-login/browser_oauth_login.js
	@node scripts/short-imports.mjs pkg/wasm-login/browser_oauth_login.js $@

$(TS_OUT): $(wildcard pkg/src/*.ts) pkg/tsconfig.json scripts/wasm-postbuild.mjs $(WASM_OUT) $(WASM_OUT_OAUTH1) $(WASM_OUT_DPOP) $(WASM_OUT_LOGIN)
	@echo "== build: wasm post-build (d.ts, inline entry) and tsc"
	@node scripts/wasm-postbuild.mjs
	@cd pkg && tsc -p .
	@touch $@

## Every test layer; any failure fails the target. Two lanes side by side
## (scripts/test-layers.mjs): the end-to-end suites, and the other layers one after another;
## each layer's output is printed whole when it ends, then every layer's result and time.
TEST_LANES := "test-e2e" "lint test-native test-ts test-package test-browser test-bundlers test-bench"
test: build
	@MAKE="$(MAKE)" node scripts/test-layers.mjs $(TEST_LANES)

lint:
	@echo "== lint: cargo fmt --check, clippy host + wasm32 (every entry), core purity"
	cargo fmt --check
	cargo clippy --quiet --all-targets -- -D warnings
	$(WASM) cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings
	$(WASM) cargo clippy --quiet --target wasm32-unknown-unknown --lib --release -- -D warnings
	$(WASM) cargo clippy --quiet --target wasm32-unknown-unknown --lib --release --features oauth1 -- -D warnings
	$(WASM) cargo clippy --quiet --target wasm32-unknown-unknown --lib --release --features dpop -- -D warnings
	$(WASM) cargo clippy --quiet --target wasm32-unknown-unknown --lib --release --features landing -- -D warnings
	@! grep -rnE '^[^/]*\b(wasm_bindgen|js_sys|web_sys)\b' src/core || { echo "src/core must not use web APIs"; exit 1; }
	@echo "lint: ok"

test-native:
	@echo "== native: cargo test (src/core incl. OAuth 1.0a, fixed clock and randomness)"
	cargo test --quiet --lib

test-browser:
	@echo "== browser: wasm-pack test --headless --chrome, then --firefox (wasm-bindgen-test in Chromium and Firefox ESR)"
	@# The runner's budget for the whole suite (default 20 s): the suite takes ~15 s on an idle
	@# machine, more on a loaded one. A budget, not a timing assertion.
	WASM_BINDGEN_TEST_TIMEOUT=180 $(WASM) wasm-pack test --headless --chrome --chromedriver $(CHROMEDRIVER) -- --test web 2>&1 | grep -v 'failed to get wasm-pack version'
	WASM_BINDGEN_TEST_TIMEOUT=180 $(WASM) wasm-pack test --headless --firefox --geckodriver $(GECKODRIVER) -- --test web 2>&1 | grep -v 'failed to get wasm-pack version'

test-ts:
	@echo "== typescript: tsc --noEmit (strict) of the package and its type-level tests"
	cd pkg && tsc -p . --noEmit && tsc -p test-d && echo "tsc: 0 errors"

## The package outside a browser: every API throws browser_only in Node, importing has no
## side effects; every ErrorCode has a describeError message.
test-package:
	@echo "== package: Node tests of the built entries (server-side use, describeError)"
	node --test tests/package/*.test.mjs

## The npm pack tarball as users install it: publint, attw, a strict type-test app, and apps
## built with Vite, webpack, Rollup, esbuild and Parcel run in Chromium (bundlers pinned in
## tests/bundlers/package-lock.json, installed by the set-up).
test-bundlers:
	@echo "== bundlers: npm pack → publint, attw, strict types (bundler/node16/node10), 5 bundlers in Chromium"
	node --test --test-timeout=300000 tests/bundlers/bundlers.test.mjs

## Every suite once per engine, each pair its own process, E2E_JOBS (default 4) at a time;
## E2E_SUITES=login,session narrows the run.
test-e2e:
	@echo "== end-to-end in $(BROWSERS) (WebDriver: chromedriver, geckodriver, WebKitWebDriver) against the local OpenID and OAuth 1.0a providers"
	node tests/e2e/run.mjs

test-bench:
	@echo "== bench smoke: the benchmark page builds and runs each figure once (no timing checks)"
	node bench/run.mjs --smoke

## What apps ship, per page (landing, signed-in, each add-on): an esbuild bundle of wrapper + glue
## plus the release wasm, gzip and brotli (scripts/size.mjs).
size: build
	@node scripts/size.mjs

## Size and speed against oauth4webapi and oidc-client-ts, in one headless Chromium run.
## Prints figures only: nothing passes or fails on a timing.
bench: build
	@node bench/run.mjs

## The demo: the local OpenID provider and the demo site on 127.0.0.1.
demo: build
	@node www/demo.mjs

## Walks the demo in each engine of BROWSERS (tests/e2e/demo.test.mjs) and writes a
## screenshot of the viewport at each step to demo-shots/<engine>-<step>.png (git-ignored):
## look at them after changing the demo.
demo-shots: build
	@rm -rf demo-shots
	DEMO_SHOTS=demo-shots node --test tests/e2e/demo.test.mjs
	@echo "demo-shots: $$(ls demo-shots | wc -l) screenshots in demo-shots/"

## Coverage-guided fuzzing of the parsers and checkers (cargo-fuzz, nightly); not part of
## `make test`. FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := callback callback_many token_response metadata id_token config
fuzz:
	@cargo +nightly fuzz --version >/dev/null 2>&1 || { echo "fuzz: installing cargo-fuzz"; cargo install --quiet --locked cargo-fuzz; }
	@for t in $(FUZZ_TARGETS); do echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; cargo +nightly fuzz run $$t -- -max_total_time=$(FUZZ_SECONDS) || exit 1; done

clean:
	rm -rf target pkg/wasm pkg/wasm-oauth1 pkg/wasm-dpop pkg/wasm-login pkg/dist node_modules .wasm-route .venv tests/bundlers/node_modules tests/bundlers/*/dist tests/bundlers/parcel/.parcel-cache
