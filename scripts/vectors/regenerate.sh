#!/usr/bin/env bash
# Regenerate Tests/BGPWireTests/Vectors/*.vectors (except FORMAT.md) from scratch.
#   sudo scripts/vectors/regenerate.sh            # everything (ExaBGP 5 library + namespace lab capture)
#   sudo scripts/vectors/regenerate.sh --no-lab   # only the ExaBGP 5 vectors (no root/netns needed after install)
# Needs root for apt-get, pip and the network namespaces. Never run by CI.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VEC=$REPO/Tests/BGPWireTests/Vectors
WORK=$(mktemp -d /tmp/bpv-regen.XXXXXX); chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
LAB=1; [ "${1:-}" = --no-lab ] && LAB=0

need() { command -v "$1" >/dev/null 2>&1; }
if [ "$(id -u)" = 0 ]; then
  if ! need tshark || ! need gobgpd || ! need bird || ! need exabgp || ! [ -x /usr/lib/frr/bgpd ] || ! need text2pcap; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update || { sleep 5; apt-get update; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y frr gobgpd bird2 exabgp iputils-ping tcpdump tshark
  fi
  if [ ! -x /opt/exabgp5/bin/python ]; then
    python3 -m venv /opt/exabgp5 && /opt/exabgp5/bin/pip install 'exabgp>=5'
  fi
fi
EXAPY=${EXAPY:-/opt/exabgp5/bin/python}

echo "== ExaBGP 5 library vectors"
"$EXAPY" "$HERE/exa5_encode.py" > "$WORK/exa5.jsonl"
INPUTS=("$WORK/exa5.jsonl")
if [ $LAB = 1 ]; then
  echo "== namespace lab capture (about 2 minutes)"
  "$HERE/lab_capture.sh" "$WORK/lab"
  python3 "$HERE/split_capture.py" "$WORK/lab" > "$WORK/lab.jsonl"
  INPUTS+=("$WORK/lab.jsonl")
fi
echo "== writing $VEC"
find "$VEC" -name '*.vectors' -delete
TSHARK_VERSION=$(tshark --version | awk 'NR==1{print $3}') python3 "$HERE/build_vectors.py" "$VEC" "${INPUTS[@]}"
