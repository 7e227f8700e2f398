# Shared by deploy/run, deploy/test and deploy/bench: install what is missing, build.
# Sourced, not executed.

SANGDAM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian 12 packages the build, the tests and the benchmarks need.
SANGDAM_PACKAGES=(build-essential cmake pkg-config libboost1.81-dev libhiredis-dev rapidjson-dev
  catch2 redis-server redis-tools libssl-dev libhowardhinnant-date-dev tzdata python3
  python3-icalendar python3-websockets)

ensure_packages() {
  local missing=()
  local p
  for p in "${SANGDAM_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "sangdam needs these Debian packages; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists once per machine state; retry once if the lists were stale.
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
  }
}

# build DIR TYPE [cmake args...]: configure once, then build everything with both cores.
build() {
  local dir="$1" type="$2"
  shift 2
  cmake -S "$SANGDAM_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)" "${BUILD_TARGETS[@]/#/--target=}"
}
