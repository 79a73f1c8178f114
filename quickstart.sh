#!/usr/bin/env bash
# duty-console quick start: the two commands of the README.
#
#   ./quickstart.sh run  [duty-console options...]   install everything, open the console
#   ./quickstart.sh test [pytest options...]         install everything, run the test suite
#
# Steps (each idempotent): Python >= 3.11, the Debian/Ubuntu packages Qt needs, the virtual
# environment .venv, `pip install -e '.[dev,server]'` (skipped while pyproject.toml is
# unchanged), then run. Environment knobs:
#   PYTHON=/path/to/python3.x   interpreter used to create .venv (default: newest found >= 3.11)
#   QUICKSTART_SKIP_APT=1       do not check system packages
#   QUICKSTART_FORCE_PIP=1      reinstall the Python packages even if nothing changed
#   DUTY_TEST_WORKERS=N|auto|0  pytest-xdist workers for `test` (default 2 per core, at least 4;
#                               0 = no xdist)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
STAMP="$VENV/.quickstart-stamp"
EXTRAS="dev,server"

# Debian/Ubuntu packages Qt (PySide6 6.12) needs on a bare system, a CJK font, and the X
# tools for the wall-display tests, openssl for the TLS test's certificate. Keep in step with
# shared TECH-NOTES.
APT_PACKAGES=(
    libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
    libx11-xcb1 libxrandr2 libxext6 libxcb-cursor0 libxcb-icccm4 libxcb-image0
    libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0
    libxcb-xkb1 libxcb-sync1 libxcb-glx0 libpulse0 fonts-wqy-microhei
    xvfb xauth x11-xserver-utils openssl
    chromium  # the 指挥一平台 acknowledgement page is tested in a real headless browser
    # 视频监控 tests: real streams on loopback (HLS segments and the bench's decoder from
    # ffmpeg; RTSP from gst-rtsp-server through Debian's python3-gi).
    ffmpeg python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good
    gstreamer1.0-plugins-bad
)

T0=$SECONDS
say() { printf '==> [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
warn() { printf '==> WARNING: %s\n' "$*" >&2; }
die() {
    printf '==> ERROR: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<'EOF'
Usage: ./quickstart.sh run  [duty-console options]   install, then open the console
       ./quickstart.sh test [pytest options]         install, then run the whole test suite
       ./quickstart.sh install                       install only

`run` opens the console on the default store in your data folder
(~/.local/share/duty-console, or $DUTY_CONSOLE_DATA_DIR, or --data-dir DIR), loading the
Suichang sample data (样例数据) on first run. Try `./quickstart.sh run --help`.
EOF
}

# --- 1. Python >= 3.11 --------------------------------------------------------------------
python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; }

find_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        python_ok "$PYTHON" || die "PYTHON=$PYTHON is not a Python >= 3.11."
        command -v "$PYTHON"
        return
    fi
    local cand
    for cand in python3.13 python3.12 python3.11 python3; do
        if command -v "$cand" >/dev/null 2>&1 && python_ok "$cand"; then
            # The real interpreter, not a pyenv/asdf shim.
            "$cand" -c 'import sys; print(sys.executable)'
            return
        fi
    done
    local found="none"
    command -v python3 >/dev/null 2>&1 && found="$(python3 --version 2>&1)"
    cat >&2 <<EOF
==> ERROR: duty-console needs Python 3.11 or newer (found: $found).
    Debian 12 / Ubuntu 24.04:  sudo apt-get install -y python3 python3-venv
    Ubuntu 22.04:              sudo add-apt-repository ppa:deadsnakes/ppa &&
                               sudo apt-get install -y python3.11 python3.11-venv
    Other systems:             pyenv install 3.11, or the installer from python.org.
    Then re-run, or point to it: PYTHON=/path/to/python3.11 ./quickstart.sh ...
EOF
    exit 1
}

venv_healthy() {
    [[ -x "$VENV/bin/python" ]] && python_ok "$VENV/bin/python" &&
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

# --- 2. system packages ---------------------------------------------------------------------
missing_apt_packages() {
    # One dpkg-query for all: it prints the installed ones, complains about unknown ones.
    local -A installed=()
    local name status pkg
    while read -r name status; do
        [[ "$status" == "installed" ]] && installed["$name"]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null || true)
    for pkg in "$@"; do
        [[ -n "${installed[$pkg]:-}" ]] || printf '%s\n' "$pkg"
    done
}

check_system_packages() {
    local py="$1"
    local wanted=("${APT_PACKAGES[@]}")
    # `python -m venv` needs ensurepip; Debian splits it into python3-venv / python3.X-venv.
    if ! venv_healthy && ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        case "$(readlink -f "$py")" in
            /usr/bin/python3*)
                if [[ "$(readlink -f "$py")" == "$(readlink -f /usr/bin/python3)" ]]; then
                    wanted+=(python3-venv)
                else
                    local ver
                    ver="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
                    wanted+=("python$ver-venv")
                fi
                ;;
            *) die "$py cannot create virtual environments (no ensurepip); install its venv module." ;;
        esac
    fi
    if [[ "${QUICKSTART_SKIP_APT:-0}" == "1" ]]; then
        say "System packages: check skipped (QUICKSTART_SKIP_APT=1)"
        return
    fi
    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        say "Not a Debian/Ubuntu system: make sure the equivalents of these are installed:"
        printf '      %s\n' "${wanted[*]}"
        return
    fi
    local missing
    mapfile -t missing < <(missing_apt_packages "${wanted[@]}")
    if ((${#missing[@]} == 0)); then
        say "System packages: all ${#wanted[@]} present"
        return
    fi
    say "System packages missing: ${missing[*]}"
    local -a sudo=()
    if [[ "$(id -u)" != "0" ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            cat >&2 <<EOF
==> ERROR: these system packages are needed and I cannot install them without root.
    Please run:
        sudo apt-get update && sudo apt-get install -y ${missing[*]}
    then run this script again.
EOF
            exit 1
        fi
    fi
    say "Installing them with ${sudo[*]:-}${sudo[*]:+ }apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    mapfile -t missing < <(missing_apt_packages "${wanted[@]}")
    ((${#missing[@]} == 0)) || die "apt-get did not install: ${missing[*]}"
    say "System packages installed"
}

# --- 3. virtual environment and Python packages -----------------------------------------------
ensure_venv() {
    local py="$1"
    if venv_healthy; then
        say "Virtual environment: reusing .venv ($("$VENV/bin/python" --version 2>&1))"
        return
    fi
    if [[ -e "$VENV" ]]; then
        warn ".venv exists but is broken (no working python >= 3.11 with pip): recreating it"
        rm -rf "$VENV"
    fi
    say "Virtual environment: creating .venv with $py ($("$py" --version 2>&1))"
    "$py" -m venv "$VENV"
}

install_stamp() {
    # Anything that should trigger a reinstall: the project's dependencies, the extras, the
    # interpreter and where this checkout lives (the install is editable).
    {
        cat pyproject.toml
        printf 'extras=%s\nroot=%s\n' "$EXTRAS" "$ROOT"
        "$VENV/bin/python" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
}

ensure_python_packages() {
    local want
    want="$(install_stamp)"
    if [[ "${QUICKSTART_FORCE_PIP:-0}" != "1" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]] &&
        [[ -x "$VENV/bin/duty-console" ]]; then
        say "Python packages: up to date (pyproject.toml unchanged)"
        return
    fi
    say "Python packages: pip install -e '.[$EXTRAS]' (first time takes a few minutes)"
    rm -f "$STAMP"
    local log="$VENV/quickstart-pip.log"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    if ! { "$VENV/bin/python" -m pip install --upgrade pip &&
        "$VENV/bin/python" -m pip install -e ".[$EXTRAS]"; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "pip install failed (full log: $log)"
    fi
    printf '%s\n' "$want" >"$STAMP"
    say "Python packages: installed ($("$VENV/bin/python" -m pip list 2>/dev/null | tail -n +3 | wc -l) packages; log: .venv/quickstart-pip.log)"
}

install_all() {
    local py
    py="$(find_python)"
    say "Python: $py ($("$py" --version 2>&1))"
    check_system_packages "$py"
    ensure_venv "$py"
    ensure_python_packages
}

# --- 4. commands ---------------------------------------------------------------------------
headless_only() {
    # Options that never open a window: fine without a display.
    local a
    for a in "$@"; do
        case "$a" in
            -h | --help | --version | --list-views | --screenshot | --screenshot=* | --quit-after-shown) return 0 ;;
        esac
    done
    return 1
}

cmd_run() {
    install_all
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
        if headless_only "$@"; then
            export QT_QPA_PLATFORM=offscreen
        else
            cat >&2 <<'EOF'
==> ERROR: no display (DISPLAY / WAYLAND_DISPLAY are not set), so the console cannot open
    a window. Run it from a desktop session, or on a server under a virtual display:
        xvfb-run -a ./quickstart.sh run
    Headless commands work anywhere, e.g.
        ./quickstart.sh run --screenshot shot.png --view risk-map --demo
EOF
            exit 2
        fi
    fi
    say "Starting duty-console $*"
    exec "$VENV/bin/duty-console" "$@"
}

cmd_test() {
    install_all
    if [[ -z "${DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
        export QT_QPA_PLATFORM=offscreen
    fi
    # Most tests wait on servers, PostgreSQL or the event loop rather than a CPU: twice the
    # cores (at least 4) finishes the suite in about two thirds of the time of one per core.
    local cores
    cores="$(nproc 2>/dev/null || echo 2)"
    local workers="${DUTY_TEST_WORKERS:-$((cores * 2 > 4 ? cores * 2 : 4))}"
    local -a xdist=()
    if [[ "$workers" != "0" ]]; then
        # worksteal: a worker that runs out takes queued tests from a busy one, so the long
        # tests (ordered first by tests/conftest.py) do not leave three workers idle at the end
        xdist=(-n "$workers" --dist worksteal)
    fi
    say "Running tests: pytest ${xdist[*]:-} $* (QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-<display>})"
    local rc=0
    "$VENV/bin/python" -m pytest "${xdist[@]}" "$@" || rc=$?
    if ((rc == 5)); then
        warn "pytest collected no tests"
    fi
    say "Tests finished with exit code $rc"
    return "$rc"
}

main() {
    local cmd="${1:-}"
    (($# > 0)) && shift
    case "$cmd" in
        run) cmd_run "$@" ;;
        test) cmd_test "$@" ;;
        install) install_all ;;
        -h | --help | help) usage ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
}

main "$@"
