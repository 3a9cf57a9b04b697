# Sourced by scripts/install-deps (bash, set -euo pipefail active).
# The original networking-bagpipe (its Python CLIs and Neutron agent REST client) in a virtualenv, so
# Tests/BagpipeAPITests/CLITests.swift can run them unmodified against our REST server (docs/rest-api.md).
bagpipe_api_venv=/opt/bagpipe-venvs/networking-bagpipe
if [ ! -x "$bagpipe_api_venv/bin/bagpipe-rest-attach" ] || [ ! -x "$bagpipe_api_venv/bin/bagpipe-looking-glass" ]; then
    echo "installing networking-bagpipe into $bagpipe_api_venv"
    bagpipe_api_python=""
    for candidate in /usr/bin/python3 python3; do
        if "$candidate" -c 'import ensurepip, venv' 2>/dev/null; then
            bagpipe_api_python=$candidate
            break
        fi
    done
    if [ -z "$bagpipe_api_python" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        bagpipe_api_python=/usr/bin/python3
    fi
    mkdir -p /opt/bagpipe-venvs
    rm -rf "$bagpipe_api_venv"
    "$bagpipe_api_python" -m venv "$bagpipe_api_venv"
    "$bagpipe_api_venv/bin/pip" install -q "networking-bagpipe==25.0.0" >/dev/null
fi
unset bagpipe_api_venv bagpipe_api_python candidate
