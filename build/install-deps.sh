#!/usr/bin/env bash
# Installs what the build and tests need beyond the .NET SDK, Node/npm and apt:
# Debian packages listed in build/apt-<profile>.txt and npm packages from every
# package-lock.json in the tree (npm ci, so versions come from the lock file).
# Usage: build/install-deps.sh test|bench|run
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-test}

missing=()
for list in build/apt-test.txt "build/apt-$profile.txt"; do
  [ -f "$list" ] || continue
  while read -r pkg _; do
    case "$pkg" in ''|'#'*) continue ;; esac
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done < "$list"
done
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "install-deps: apt-get install ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

while IFS= read -r lock; do
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.lock-sha256"
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "install-deps: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
done < <(find . -name package-lock.json -not -path '*/node_modules/*' -not -path './artifacts/*' | sort)
