# Sourced by scripts/install-deps (bash, set -euo pipefail active).
# Tests/BagpipeLinuxDataplaneTests build namespaces with `ip` and send pings from them (docs/dataplane.md).
if ! command -v ip >/dev/null 2>&1 || ! command -v ping >/dev/null 2>&1; then
    echo "installing iproute2 and iputils-ping for the dataplane tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 iputils-ping >/dev/null
fi
