#!/usr/bin/env bash
# Install what Hoist needs to build, test and run, idempotently.
#   scripts/setup.sh            everything (build, tests, benchmarks)
#   scripts/setup.sh --check    only report what is missing (exit 1 if anything is)
# Debian/Ubuntu packages come from scripts/apt-packages.txt; Python and Node
# tools are installed per project need. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."
check_only=0
[ "${1:-}" = "--check" ] && check_only=1
missing_report=()

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------
# A line "a|b" names alternatives (Debian and Ubuntu spell some packages
# differently): any one installed is enough; otherwise the first apt knows.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
missing_apt=()
while read -r line; do
  alts=${line//|/ }
  ok=0
  for p in $alts; do installed "$p" && { ok=1; break; }; done
  [ $ok = 1 ] || missing_apt+=("$line")
done < <(grep -v '^\s*#' scripts/apt-packages.txt | awk 'NF{print $1}')
if [ ${#missing_apt[@]} -gt 0 ]; then
  if [ $check_only = 1 ]; then
    missing_report+=("apt: ${missing_apt[*]}")
  else
    sudo=""
    if [ "$(id -u)" != 0 ]; then
      if sudo -n true 2>/dev/null; then sudo="sudo"; else
        echo "Missing Debian packages: ${missing_apt[*]}" >&2
        echo "Install them with: sudo apt-get install -y ${missing_apt[*]//|/ or }" >&2
        exit 1
      fi
    fi
    say "installing Debian packages: ${missing_apt[*]}"
    $sudo apt-get update -qq
    to_install=()
    for line in "${missing_apt[@]}"; do
      pick=""
      for p in ${line//|/ }; do
        if apt-cache show "$p" >/dev/null 2>&1; then pick=$p; break; fi
      done
      [ -n "$pick" ] || { echo "no package for '$line' in this system's apt sources" >&2; exit 1; }
      to_install+=("$pick")
    done
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${to_install[@]}" >/dev/null
  fi
fi

# --- Rust toolchain ----------------------------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
  missing_report+=("cargo: install Rust (stable) from https://rustup.rs, then run this again")
  if [ $check_only = 0 ]; then
    echo "cargo not found: install Rust (stable) from https://rustup.rs, then run this again" >&2
    exit 1
  fi
fi

# --- Python: moto_server, the S3-compatible store the S3-mode tests use --------
if ! command -v moto_server >/dev/null 2>&1; then
  if [ $check_only = 1 ]; then
    missing_report+=("python: moto[server] (pip install 'moto[server]')")
  else
    say "installing moto[server] (S3-compatible test server)"
    python3 -m pip install --quiet 'moto[server]' || python3 -m pip install --quiet --break-system-packages 'moto[server]'
  fi
fi

# --- Node packages of the web UI ---------------------------------------------
if [ -f ui/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    missing_report+=("npm: install Node.js 20+ (apt-get install nodejs npm)")
    [ $check_only = 0 ] && { echo "npm not found: apt-get install nodejs npm" >&2; exit 1; }
  elif [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
    if [ $check_only = 1 ]; then missing_report+=("npm: ui/node_modules (npm ci)"); else
      say "installing the UI's npm packages"
      (cd ui && npm ci --no-audit --no-fund --loglevel=error)
    fi
  fi
fi

# --- Cargo tools for end-to-end tests ------------------------------------------
if [ -d src-tauri ] && ! command -v tauri-driver >/dev/null 2>&1; then
  if [ $check_only = 1 ]; then missing_report+=("cargo: tauri-driver (cargo install tauri-driver --locked)"); else
    say "installing tauri-driver (WebDriver bridge for the end-to-end tests)"
    cargo install tauri-driver --locked --quiet
  fi
fi

if [ $check_only = 1 ]; then
  if [ ${#missing_report[@]} -gt 0 ]; then
    printf 'missing: %s\n' "${missing_report[@]}" >&2
    exit 1
  fi
  echo "everything Hoist needs is installed" >&2
fi
