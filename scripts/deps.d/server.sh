# bagpipe-server test dependencies (sourced by scripts/install-deps; idempotent, quick when done):
# - PostgreSQL (Debian package), started, with a role and database "bagpipe" (password "bagpipe", may create
#   databases: each test run makes its own and drops it);
# - curl (raw GETs in the client tests) and the real OpenStack clients in /opt/bagpipe-venvs/openstack
#   (openstack CLI, whose 10.x releases carry the bgpvpn commands, python-neutronclient, openstacksdk).
server_pg_packages=(postgresql python3-venv curl)
server_missing=()
for p in "${server_pg_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || server_missing+=("$p")
done
if [ ${#server_missing[@]} -gt 0 ]; then
    echo "installing: ${server_missing[*]}"
    for i in 1 2 3 4 5; do
        apt-get update -qq && break
        sleep 3
    done
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${server_missing[@]}" >/dev/null
fi

# Start the cluster (no systemd here) and make sure the role exists.
server_pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$server_pg_version main .* online"; then
    pg_lsclusters -h 2>/dev/null | grep -q "^$server_pg_version main" || pg_createcluster "$server_pg_version" main >/dev/null
    pg_ctlcluster "$server_pg_version" main start
fi
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='bagpipe'\"" | grep -q 1; then
    su postgres -c "psql -q -c \"CREATE ROLE bagpipe LOGIN CREATEDB PASSWORD 'bagpipe'\""
fi
if ! su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='bagpipe'\"" | grep -q 1; then
    su postgres -c "createdb -O bagpipe bagpipe"
fi

server_venv=/opt/bagpipe-venvs/openstack
# (a file check: importing openstack takes seconds)
if [ ! -x "$server_venv/bin/openstack" ] || ! compgen -G "$server_venv/lib/python3*/site-packages/openstackclient/network/v2/bgpvpn" >/dev/null \
    || ! compgen -G "$server_venv/lib/python3*/site-packages/openstack/network/v2/bgpvpn.py" >/dev/null; then
    mkdir -p /opt/bagpipe-venvs
    python3 -m venv "$server_venv"
    "$server_venv/bin/pip" install -q --disable-pip-version-check python-openstackclient python-neutronclient openstacksdk
fi
