#!/usr/bin/env bash
# Build and install every native extension under native/ (Rust/PyO3 crates built by maturin
# with `cargo build --release --locked`) into the project's virtualenv: native/avro (the Avro
# codec) and native/binlog (the mysql-cdc row decoder).
#
# Idempotent: a crate is skipped when a stamp for its current sources exists and its module
# imports. The stamp name carries a sha256 over Cargo.toml, Cargo.lock, pyproject.toml, the
# type stubs and src/**. maturin is installed into the venv and builds run without pip's
# build isolation, so after the first run (which fetches maturin and the locked crates) it
# works offline.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
MATURIN_VERSION=1.16.0

if [[ ! -x $PY ]]; then
    echo "build-native: $PY not found; create the virtualenv first (make setup)" >&2
    exit 1
fi

module_of() { # the Python module a crate builds (tool.maturin module-name)
    sed -n 's/^module-name = "\(.*\)"/\1/p' "$1/pyproject.toml"
}

sources_hash() { # the crate's sources, stubs included (a crate may have none)
    (
        cd "$1" &&
            find Cargo.toml Cargo.lock pyproject.toml src -type f -print0 &&
            find . -maxdepth 1 -name '*.pyi' -printf '%P\0'
    ) | (cd "$1" && LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

toolchain_ready=0
prepare_toolchain() {
    if ((toolchain_ready)); then return 0; fi
    # maturin's PEP 517 hooks run the `maturin` binary from PATH.
    export PATH="$PWD/$VENV/bin:$HOME/.cargo/bin:$PATH"
    if ! command -v cargo >/dev/null; then
        echo "build-native: cargo not found; install a Rust toolchain (rustup) first" >&2
        exit 1
    fi
    if [[ $("$PY" -m pip show maturin 2>/dev/null | sed -n 's/^Version: //p') != "$MATURIN_VERSION" ]]; then
        "$PY" -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION"
    fi
    toolchain_ready=1
}

for crate in native/*/; do
    crate=${crate%/}
    [[ -f $crate/Cargo.toml && -f $crate/pyproject.toml ]] || continue
    name=$(basename "$crate")
    module=$(module_of "$crate")
    stamp="$VENV/.native-$name-$(sources_hash "$crate")"
    if [[ -f $stamp ]] && "$PY" -c "import $module" 2>/dev/null; then
        continue
    fi
    prepare_toolchain
    echo "build-native: building $crate (cargo --release)..."
    started=$SECONDS
    "$PY" -m pip install -q --disable-pip-version-check --no-build-isolation --force-reinstall \
        --no-deps "./$crate"
    "$PY" -c "import $module"
    rm -f "$VENV/.native-$name-"*
    touch "$stamp"
    echo "build-native: installed $module in $((SECONDS - started)) s"
done
