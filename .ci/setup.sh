# Set-up shared by ./hello and ./test (sourced, not run): what a fresh Debian
# machine with only rustup lacks, installed when it can be, or a stop with
# the exact command to run.

# The Rust toolchain, targets and components of rust-toolchain.toml. Run
# explicitly: with RUSTUP_AUTO_INSTALL=0, rustup does not install the
# pinned toolchain on first use, and cargo would fail.
rust_toolchain() {
    if ! command -v rustup >/dev/null; then
        echo "error: rustup is not installed" >&2
        echo "hint: run  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh  then run $0 again" >&2
        exit 1
    fi
    # rustup 1.28 and later install what rust-toolchain.toml names with an
    # argument-less `toolchain install` (and no longer on first use); older
    # ones have no such command, and `show` installs there. rustup's own
    # progress and errors stay on the terminal: the first run downloads for
    # minutes, and a failure (no network, a bad proxy) must be seen as such.
    # It does not update rustup itself: the dist server may offer an older
    # rustup as the "update" (seen: 1.29.0 replaced by 1.28.2).
    local version
    version=$(rustup --version 2>/dev/null | sed -n 's/^rustup \([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p') || true
    if [ "$(printf '%s\n' 1.28 "${version:-0}" | sort -V | head -n 1)" = 1.28 ]; then
        rustup toolchain install --no-self-update || rust_toolchain_failed "rustup toolchain install"
    else
        rustup show >/dev/null || rust_toolchain_failed "rustup show"
    fi
    # Fail here, not in a hundred build errors, if a target did not install.
    local target installed
    installed=$(rustup target list --installed)
    for target in $(sed -n 's/^ *"\([^"]*\)",$/\1/p' rust-toolchain.toml); do
        grep -qx "$target" <<<"$installed" || rustup target add "$target"
    done
}

rust_toolchain_failed() {
    echo "error: \`$1\` could not install the Rust toolchain of rust-toolchain.toml (rustup said why above)" >&2
    echo "hint: fix that (network, proxy: rustup reads https_proxy), or run  $1  by hand, then run $0 again" >&2
    exit 1
}

# debian_packages COMMAND:PACKAGE... installs the packages whose command is
# missing (a COMMAND that is an absolute path is a file the package installs): as root, or with sudo when it needs no password; otherwise it
# stops with the apt-get command to run.
debian_packages() {
    local pair missing=()
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null || [[ "${pair%%:*}" == /* && -e "${pair%%:*}" ]] || [[ " ${missing[*]} " == *" ${pair#*:} "* ]] || missing+=("${pair#*:}")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            echo "error: missing Debian packages: ${missing[*]} (and no root or password-less sudo to install them)" >&2
            echo "hint: run  sudo apt-get install -y ${missing[*]}  then run $0 again" >&2
            exit 1
        fi
    fi
    if ! command -v apt-get >/dev/null; then
        echo "error: missing packages ${missing[*]}, and apt-get is not here to install them" >&2
        echo "hint: install them with your system's package manager, then run $0 again" >&2
        exit 1
    fi
    echo "installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    # Some machine images carry a backported qemu-utils whose version
    # conflicts with bookworm's qemu-system-*; take bookworm's one then.
    if ! "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null; then
        "${sudo[@]}" apt-get install -y -qq --allow-downgrades "${missing[@]}" qemu-utils/bookworm >/dev/null
    fi
}
