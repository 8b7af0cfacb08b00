#!/usr/bin/env bash
# Build and install the native Avro codec (native/avro, a Rust/PyO3 extension built by
# maturin with `cargo build --release --locked`) into the project's virtualenv.
#
# Idempotent: skips the build when a stamp for the current sources exists and the module
# imports. The stamp name carries a sha256 over Cargo.toml, Cargo.lock, pyproject.toml, the
# type stub and src/**. maturin is installed into the venv and the build runs without pip's
# build isolation, so after the first run (which fetches maturin and the locked crates) it
# works offline.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PY="$VENV/bin/python"
CRATE=native/avro
MATURIN_VERSION=1.16.0

if [[ ! -x $PY ]]; then
    echo "build-native: $PY not found; create the virtualenv first (make setup)" >&2
    exit 1
fi

hash=$(
    cd "$CRATE" &&
        find Cargo.toml Cargo.lock pyproject.toml pipeway_avro_native.pyi src -type f -print0 |
        LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16
)
stamp="$VENV/.native-avro-$hash"
if [[ -f $stamp ]] && "$PY" -c "import pipeway_avro_native" 2>/dev/null; then
    exit 0
fi

# maturin's PEP 517 hooks run the `maturin` binary from PATH.
export PATH="$PWD/$VENV/bin:$HOME/.cargo/bin:$PATH"
if ! command -v cargo >/dev/null; then
    echo "build-native: cargo not found; install a Rust toolchain (rustup) first" >&2
    exit 1
fi

if ! "$PY" -m pip show -q maturin 2>/dev/null ||
    [[ $("$PY" -m pip show maturin 2>/dev/null | sed -n 's/^Version: //p') != "$MATURIN_VERSION" ]]; then
    "$PY" -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi

echo "build-native: building $CRATE (cargo --release)..."
started=$SECONDS
"$PY" -m pip install -q --disable-pip-version-check --no-build-isolation --force-reinstall \
    --no-deps "./$CRATE"
"$PY" -c "import pipeway_avro_native"
rm -f "$VENV"/.native-avro-*
touch "$stamp"
echo "build-native: installed pipeway-avro-native in $((SECONDS - started)) s"
