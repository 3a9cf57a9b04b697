#!/usr/bin/env bash
# Capture real BGP sessions between GoBGP, FRR, BIRD and ExaBGP 4.2 in private network
# namespaces, and log every command that made a daemon send something.
#
#   sudo scripts/vectors/lab_capture.sh OUTDIR
#
# Writes OUTDIR/lab.pcap (everything on the fabric bridge), OUTDIR/events.tsv
# (epoch<TAB>node<TAB>command), OUTDIR/versions.txt and the daemon configs (OUTDIR/conf/).
# Topology (all on one bridge, 10.0.0.0/24 and 2001:db8:ffff::/64):
#   g1 GoBGP  10.0.0.1  AS 4200000001   peers: f1 (eBGP), b1 (eBGP), x1 (iBGP), g2 (iBGP)
#   g2 GoBGP  10.0.0.2  AS 4200000001   peers: g1; a deliberately wrong peer-as for b1 (-> NOTIFICATION 2/2)
#   x1 ExaBGP 10.0.0.21 AS 4200000001   peer: g1 (4.2, hold time 6 s)
#   f1 FRR    10.0.0.22 AS 65022 in confederation 65000 (members 65022, 65023)  peers: g1, b1
#   b1 BIRD   10.0.0.23 AS 65023 (confederation member)  peers: g1 (4-octet AS), f1 (2-octet AS session), g2
# Namespaces are named bpv<pid>-<node>; the EXIT trap kills only the PIDs started here and deletes them.
set -euo pipefail

OUT=${1:?usage: $0 OUTDIR}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
P=bpv$$
ST=$(mktemp -d /tmp/bpv.XXXXXX); chmod 755 "$ST"
EV=$OUT/events.tsv; : > "$EV"
PIDS=()
NODES=(fab g1 g2 x1 f1 b1)
declare -A IP=([g1]=10.0.0.1 [g2]=10.0.0.2 [x1]=10.0.0.21 [f1]=10.0.0.22 [b1]=10.0.0.23)
declare -A IP6=([g1]=2001:db8:ffff::1 [g2]=2001:db8:ffff::2 [x1]=2001:db8:ffff::21 [f1]=2001:db8:ffff::22 [b1]=2001:db8:ffff::23)

log() { echo "[lab $(date +%T)] $*" >&2; }

cleanup() {
  set +e
  log "cleaning up"
  for f in "$ST"/frr/*.pid "$ST"/bird/*.pid; do
    [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
  done
  for p in "${PIDS[@]}"; do kill -CONT "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  for f in "$ST"/frr/*.pid "$ST"/bird/*.pid; do
    [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
  done
  for n in "${NODES[@]}"; do
    # anything still running inside our own namespaces was started by us
    for p in $(ip netns pids "$P-$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$P-$n" 2>/dev/null
  done
  mkdir -p "$OUT/logs"; cp -r "$ST"/*.log "$ST"/frr/*.log "$ST"/bird/*.log "$OUT/logs/" 2>/dev/null
  rm -rf "$ST"
}
trap cleanup EXIT

# run: record a command in events.tsv (with the node it runs on), then run it in that namespace
run() {
  local node=$1; shift
  printf '%s\t%s\t%s\n' "$(date +%s.%N)" "$node" "$*" >> "$EV"
  ip netns exec "$P-$node" "$@" || log "command failed on $node: $*"
}
gob() { local node=$1; shift; run "$node" gobgp "$@"; sleep 1.2; }
vty() { local node=$1; shift; local a=(); for c in "$@"; do a+=(-c "$c"); done
        printf '%s\t%s\t%s\n' "$(date +%s.%N)" "$node" "vtysh $(printf -- "-c '%s' " "$@")" >> "$EV"
        ip netns exec "$P-$node" vtysh --vty_socket "$ST/frr" "${a[@]}" >/dev/null || log "vtysh failed: $*"; sleep 1.5; }
birdc_() { run b1 birdc -s "$ST/bird/bird.ctl" "$@" >/dev/null; sleep 1.5; }

# ------------------------------------------------------------------ versions
{
  echo "gobgp $(gobgpd --version | awk '{print $3}')"
  echo "frr $(/usr/lib/frr/bgpd --version | awk 'NR==1{print $3}')"
  echo "bird $(bird --version 2>&1 | awk '{print $3}')"
  echo "exabgp $(exabgp --version 2>/dev/null | awk '/^ExaBGP/{print $3}')"
  echo "tshark $(tshark --version | awk 'NR==1{print $3}')"
} > "$OUT/versions.txt"

# ------------------------------------------------------------------ namespaces
ip netns add "$P-fab"; ip -n "$P-fab" link set lo up
ip -n "$P-fab" link add br0 type bridge; ip -n "$P-fab" link set br0 up
for n in g1 g2 x1 f1 b1; do
  ip netns add "$P-$n"; ip -n "$P-$n" link set lo up
  ip link add eth0 netns "$P-$n" type veth peer name "v-$n" netns "$P-fab"
  ip -n "$P-fab" link set "v-$n" master br0 up
  ip -n "$P-$n" addr add "${IP[$n]}/24" dev eth0
  ip -n "$P-$n" addr add "${IP6[$n]}/64" dev eth0 nodad
  ip -n "$P-$n" link set eth0 up
done

ip netns exec "$P-fab" tcpdump -i br0 -s 0 -U -w "$OUT/lab.pcap" 'tcp port 179' 2>"$ST/tcpdump.log" &
PIDS+=($!)
sleep 1

mkdir -p "$OUT/conf"
# ------------------------------------------------------------------ GoBGP g1
afis() { for f in "$@"; do printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$f"; done; }
nbr() { # addr peer-as
  printf '[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "%s"\n    peer-as = %s\n' "$1" "$2"
  printf '  [neighbors.timers.config]\n    connect-retry = 1\n    hold-time = 90\n    keepalive-interval = 30\n'
  printf '  [neighbors.transport.config]\n    local-address = "%s"\n' "$3"
}
{
  printf '[global.config]\n  as = 4200000001\n  router-id = "10.0.0.1"\n  local-address-list = ["10.0.0.1"]\n'
  # g1 passes nothing on: routes learned from the lab peers are rejected at import, so every
  # UPDATE g1 sends comes from one of the gobgp CLI commands below (a global
  # default-import-policy reject-route would also drop the CLI's own routes in GoBGP 3.10)
  cat <<'TOML'
[global.apply-policy.config]
  import-policy-list = ["drop-learned"]
  default-import-policy = "accept-route"

[[defined-sets.neighbor-sets]]
  neighbor-set-name = "lab-peers"
  neighbor-info-list = ["10.0.0.2/32", "10.0.0.21/32", "10.0.0.22/32", "10.0.0.23/32"]

[[policy-definitions]]
  name = "drop-learned"
  [[policy-definitions.statements]]
    name = "drop"
    [policy-definitions.statements.conditions.match-neighbor-set]
      neighbor-set = "lab-peers"
    [policy-definitions.statements.actions]
      route-disposition = "reject-route"

TOML
  nbr 10.0.0.22 65000 10.0.0.1
  afis ipv4-unicast ipv6-unicast l3vpn-ipv4-unicast l3vpn-ipv6-unicast l2vpn-evpn ipv4-flowspec ipv6-flowspec
  nbr 10.0.0.23 65023 10.0.0.1
  afis ipv6-unicast l3vpn-ipv4-unicast l3vpn-ipv6-unicast ipv4-flowspec ipv6-flowspec ipv4-labelled-unicast
  printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "ipv4-unicast"\n'
  printf '    [neighbors.afi-safis.add-paths.config]\n      receive = true\n      send-max = 4\n'
  nbr 10.0.0.21 4200000001 10.0.0.1
  afis ipv4-unicast ipv6-unicast l3vpn-ipv4-unicast ipv4-flowspec l3vpn-ipv4-flowspec l2vpn-evpn
  nbr 10.0.0.2 4200000001 10.0.0.1
  printf '  [neighbors.graceful-restart.config]\n    enabled = true\n    restart-time = 120\n    notification-enabled = true\n    long-lived-enabled = true\n'
  for f in ipv4-unicast l3vpn-ipv4-unicast l3vpn-ipv6-unicast l2vpn-evpn rtc l3vpn-ipv4-flowspec l3vpn-ipv6-flowspec ipv4-labelled-unicast ipv6-labelled-unicast; do
    printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$f"
    printf '    [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n'
    printf '    [neighbors.afi-safis.long-lived-graceful-restart.config]\n      enabled = true\n      restart-time = 3600\n'
    [ "$f" = ipv4-unicast ] && printf '    [neighbors.afi-safis.add-paths.config]\n      receive = true\n      send-max = 8\n'
  done
} > "$OUT/conf/g1.toml"
{
  printf '[global.config]\n  as = 4200000001\n  router-id = "10.0.0.2"\n  local-address-list = ["10.0.0.2"]\n\n'
  nbr 10.0.0.1 4200000001 10.0.0.2
  printf '  [neighbors.graceful-restart.config]\n    enabled = true\n    restart-time = 120\n    notification-enabled = true\n    long-lived-enabled = true\n'
  for f in ipv4-unicast l3vpn-ipv4-unicast l3vpn-ipv6-unicast l2vpn-evpn rtc l3vpn-ipv4-flowspec l3vpn-ipv6-flowspec ipv4-labelled-unicast ipv6-labelled-unicast; do
    printf '  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "%s"\n' "$f"
    printf '    [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n'
    printf '    [neighbors.afi-safis.long-lived-graceful-restart.config]\n      enabled = true\n      restart-time = 3600\n'
    [ "$f" = ipv4-unicast ] && printf '    [neighbors.afi-safis.add-paths.config]\n      receive = true\n      send-max = 8\n'
  done
  nbr 10.0.0.23 65999 10.0.0.2
  afis ipv4-unicast
} > "$OUT/conf/g2.toml"
for n in g1 g2; do
  gobgpd -d -f "$OUT/conf/$n.toml" >/dev/null 2>&1 || { log "bad gobgp config $n"; gobgpd -d -f "$OUT/conf/$n.toml"; exit 1; }
  ip netns exec "$P-$n" setsid gobgpd -f "$OUT/conf/$n.toml" -p --api-hosts 127.0.0.1:50051 --pprof-disable \
     >"$ST/gobgpd-$n.log" 2>&1 </dev/null &
  PIDS+=($!)
done

# ------------------------------------------------------------------ FRR f1
mkdir -p "$ST/frr"
cat > "$OUT/conf/frr-zebra.conf" <<'EOF'
hostname f1
EOF
cat > "$OUT/conf/frr-bgpd.conf" <<'EOF'
hostname f1
route-map SETATTR permit 10
 set origin egp
 set metric 77
 set community 65022:1 65022:2 no-export
 set large-community 65022:1:1 4200000022:2:3
 set extcommunity rt 65022:100 10.0.0.22:101
 set extcommunity soo 65022:102
 set aggregator as 65022 10.0.0.22
 set atomic-aggregate
exit
route-map DENYALL deny 10
exit
route-map RTVPN permit 10
 set extcommunity rt 65022:10 4200000022:11
exit
router bgp 65022
 bgp router-id 10.0.0.22
 bgp confederation identifier 65000
 bgp confederation peers 65023
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 no bgp network import-check
 bgp graceful-restart
 neighbor 10.0.0.1 remote-as 4200000001
 neighbor 10.0.0.1 update-source 10.0.0.22
 neighbor 10.0.0.1 timers connect 1
 neighbor 10.0.0.1 capability extended-nexthop
 neighbor 10.0.0.23 remote-as 65023
 neighbor 10.0.0.23 update-source 10.0.0.22
 neighbor 10.0.0.23 timers connect 1
 address-family ipv4 unicast
  network 10.122.0.0/24 route-map SETATTR
  network 10.122.1.0/24
  network 10.122.2.128/25
  neighbor 10.0.0.1 activate
  neighbor 10.0.0.1 route-map DENYALL in
  neighbor 10.0.0.23 activate
  neighbor 10.0.0.23 addpath-tx-all-paths
 exit-address-family
 address-family ipv6 unicast
  network 2001:db8:122::/48
  network 2001:db8:122:1::/64 route-map SETATTR
  neighbor 10.0.0.1 activate
  neighbor 10.0.0.1 route-map DENYALL in
  neighbor 10.0.0.23 activate
 exit-address-family
 address-family ipv4 vpn
  network 10.122.10.0/24 rd 65022:10 label 2210 route-map RTVPN
  network 10.122.11.0/24 rd 10.0.0.22:11 label 2211
  network 10.122.12.0/24 rd 4200000022:12 label 2212
  neighbor 10.0.0.1 activate
  neighbor 10.0.0.1 route-map DENYALL in
  neighbor 10.0.0.23 activate
 exit-address-family
 address-family ipv6 vpn
  network 2001:db8:122:10::/64 rd 65022:20 label 2220 route-map RTVPN
  network 2001:db8:122:11::/64 rd 10.0.0.22:21 label 2221
  neighbor 10.0.0.1 activate
  neighbor 10.0.0.1 route-map DENYALL in
  neighbor 10.0.0.23 activate
 exit-address-family
 address-family ipv4 flowspec
  neighbor 10.0.0.1 activate
 exit-address-family
 address-family ipv6 flowspec
  neighbor 10.0.0.1 activate
 exit-address-family
 address-family l2vpn evpn
  neighbor 10.0.0.1 activate
  advertise-all-vni
  network 10.122.50.0/24 rd 65022:50 ethtag 0 label 5000 esi 00:00:00:00:00:00:00:00:00:00 gwip 0.0.0.0 routermac 52:54:00:00:ff:22
 exit-address-family
exit
EOF
cp "$OUT/conf/frr-zebra.conf" "$ST/frr/zebra.conf"; cp "$OUT/conf/frr-bgpd.conf" "$ST/frr/bgpd.conf"
chown -R frr:frr "$ST/frr"
# an L2 VNI with one local MAC, so that FRR originates EVPN type-3 and a MAC-only type-2
ip -n "$P-f1" link add vx1022 type vxlan id 1022 local 10.0.0.22 dstport 4789 nolearning dev eth0
ip -n "$P-f1" link add br1022 type bridge
ip -n "$P-f1" link set vx1022 master br1022
ip -n "$P-f1" link add vmport type veth peer name vmpeer
ip -n "$P-f1" link set vmport master br1022
for d in vx1022 br1022 vmport vmpeer; do ip -n "$P-f1" link set "$d" up; done
ip netns exec "$P-f1" bridge fdb add 52:54:00:22:00:01 dev vmport master static
ip netns exec "$P-f1" /usr/lib/frr/zebra -d -f "$ST/frr/zebra.conf" -i "$ST/frr/zebra.pid" -z "$ST/frr/zserv.api" \
   --vty_socket "$ST/frr" -u frr -g frr --log file:"$ST/frr/zebra.log"
sleep 0.5
ip netns exec "$P-f1" /usr/lib/frr/bgpd -d -f "$ST/frr/bgpd.conf" -i "$ST/frr/bgpd.pid" -z "$ST/frr/zserv.api" \
   --vty_socket "$ST/frr" -u frr -g frr -l 10.0.0.22 --log file:"$ST/frr/bgpd.log"

# ------------------------------------------------------------------ BIRD b1
mkdir -p "$ST/bird"
cat > "$OUT/conf/bird.conf" <<'EOF'
router id 10.0.0.23;
log stderr all;
vpn4 table vpntab4;
vpn6 table vpntab6;
flow4 table flowtab4;
flow6 table flowtab6;
ipv4 table labtab4;
protocol device {}
protocol direct { ipv4; ipv6; interface "eth0"; }
protocol static s4 {
  ipv4;
  route 10.123.0.0/24 via 10.0.0.23 { bgp_community.add((65023,1)); bgp_large_community.add((65023,1,2)); bgp_ext_community.add((rt,65023,5)); bgp_med = 33; bgp_origin = ORIGIN_INCOMPLETE; };
  route 10.123.1.0/24 via 10.0.0.23 { bgp_path.prepend(4200000099); bgp_path.prepend(65099); bgp_ext_community.add((ro,10.0.0.23,7)); bgp_ext_community.add((rt,4200000023,8)); };
  route 10.123.2.0/23 via 10.0.0.23;
}
protocol static s6 {
  ipv6;
  route 2001:db8:123::/48 via 2001:db8:ffff::23 { bgp_community.add((65023,6)); };
  route 2001:db8:123:1::/64 via 2001:db8:ffff::23;
}
protocol static svpn4 {
  vpn4 { table vpntab4; };
  route 65023:1 10.123.10.0/24 via 10.0.0.23 mpls 2310 { bgp_ext_community.add((rt,65023,10)); };
  route 10.0.0.23:2 10.123.11.0/24 via 10.0.0.23 mpls 2311;
  route 4200000023:3 10.123.12.0/24 via 10.0.0.23 mpls 2313 { bgp_ext_community.add((rt,10.0.0.23,12)); };
}
protocol static svpn6 {
  vpn6 { table vpntab6; };
  route 65023:4 2001:db8:123:10::/64 via 2001:db8:ffff::23 mpls 2320 { bgp_ext_community.add((rt,65023,20)); };
  route 10.0.0.23:5 2001:db8:123:11::/64 via 2001:db8:ffff::23 mpls 2321;
}
protocol static slab {
  ipv4 { table labtab4; };
  route 10.123.20.0/24 via 10.0.0.23 mpls 2330;
  route 10.123.21.0/24 via 10.0.0.23 mpls 2331/2332;
}
protocol static sflow4 {
  flow4 { table flowtab4; };
  route flow4 { dst 10.123.30.0/24; proto 6; dport 80; } { bgp_ext_community.add((generic, 0x80060000, 0x00000000)); };
  route flow4 { dst 10.123.31.0/24; src 10.99.0.0/16; proto 17; dport = 53; sport > 1023 && < 65535; } { bgp_ext_community.add((generic, 0x80060000, 0x447a0000)); };
  route flow4 { dst 10.123.32.0/24; proto 1; icmp type 8; icmp code 0; length > 1000; };
  route flow4 { dst 10.123.33.0/24; port 22, 80..90; tcp flags 0x02/0x12; dscp 46; fragment !dont_fragment && is_fragment; };
}
protocol static sflow6 {
  flow6 { table flowtab6; };
  route flow6 { dst 2001:db8:123:30::/64; next header 6; dport 443; } { bgp_ext_community.add((generic, 0x80060000, 0x00000000)); };
  # BIRD 2.0.12 can also encode 'dst ::1234:0:0/96 offset 64' (RFC 8956 offset), but GoBGP 3.10 resets the
  # session on it ("violate strict type ordering"), so it is left out
  route flow6 { dst 2001:db8:123:32::/64; src 2001:db8:99::/48; next header 17; label 0x12345; };
  route flow6 { dst 2001:db8:123:31::/64; icmp type 128; tcp flags 0x0/0x3f; length < 200; dscp 10; fragment first_fragment; };
}
template bgp common {
  local 10.0.0.23 as 65023;
  connect delay time 0;
  connect retry time 1;
  error wait time 1, 5;
}
filter only_static { if source = RTS_STATIC then accept; reject; }
protocol bgp gobgp1 from common {
  neighbor 10.0.0.1 as 4200000001;
  enable extended messages on;
  graceful restart on;
  long lived graceful restart on;
  enable route refresh on;
  ipv4 { import all; export filter only_static; add paths on; };
  ipv6 { import all; export filter only_static; next hop address 2001:db8:ffff::23; };
  vpn4 mpls { table vpntab4; import all; export filter only_static; next hop keep; };
  vpn6 mpls { table vpntab6; import all; export filter only_static; next hop keep; };
  ipv4 mpls { table labtab4; import all; export filter only_static; next hop keep; };
  flow4 { table flowtab4; import all; export filter only_static; };
  flow6 { table flowtab6; import all; export filter only_static; };
}
protocol bgp frr1 from common {
  neighbor 10.0.0.22 as 65022;
  confederation 65000;
  confederation member yes;
  enable as4 off;
  ipv4 { import all; export filter only_static; };
  ipv6 { import all; export filter only_static; next hop address 2001:db8:ffff::23; };
  vpn4 mpls { table vpntab4; import all; export filter only_static; next hop keep; };
  vpn6 mpls { table vpntab6; import all; export filter only_static; next hop keep; };
}
protocol bgp gobgp2 from common {
  neighbor 10.0.0.2 as 4200000001;
  ipv4 { import all; export none; };
}
EOF
cp "$OUT/conf/bird.conf" "$ST/bird/bird.conf"
bird -p -c "$ST/bird/bird.conf" || { log "bad bird config"; exit 1; }
ip netns exec "$P-b1" bird -f -c "$ST/bird/bird.conf" -s "$ST/bird/bird.ctl" -P "$ST/bird/bird.pid" >"$ST/bird/bird.log" 2>&1 &
PIDS+=($!)

# ------------------------------------------------------------------ ExaBGP 4.2 x1
cat > "$OUT/conf/exabgp42.conf" <<'EOF'
neighbor 10.0.0.1 {
  router-id 10.0.0.21;
  local-address 10.0.0.21;
  local-as 4200000001;
  peer-as 4200000001;
  hold-time 6;
  capability { route-refresh; graceful-restart 60; }
  family { ipv4 unicast; ipv6 unicast; ipv4 mpls-vpn; ipv4 flow; ipv4 flow-vpn; l2vpn evpn; }
  static {
    route 10.121.0.0/24 next-hop 10.0.0.21 origin igp med 21 local-preference 121 community [ 65021:1 no-advertise ] large-community [ 65021:2:3 ];
    route 10.121.1.0/24 next-hop 10.0.0.21 as-path [ 65501 65502 ] originator-id 10.0.0.99 cluster-list [ 10.0.0.98 10.0.0.97 ];
    route 2001:db8:121::/48 next-hop 2001:db8:ffff::21;
    route 10.121.10.0/24 next-hop 10.0.0.21 rd 65021:10 label 2110 extended-community [ target:65021:10 ];
    route 10.121.11.0/24 next-hop 10.0.0.21 rd 10.0.0.21:11 label 2111 extended-community [ target:10.0.0.21:11 ];
    route 10.121.12.0/24 next-hop 10.0.0.21 rd 4200000021:12 label 2113;
  }
  flow {
    route exaflow1 { match { destination 10.121.30.0/24; destination-port =443; protocol tcp; } then { discard; } }
    route exaflow2 { match { source 10.121.31.0/24; packet-length >=100&<=200; } then { rate-limit 8000; } }
    route exaflow3 { rd 65021:30; match { destination 10.121.32.0/24; } then { redirect 65021:32; extended-community target:65021:30; } }
  }
}
EOF
ip netns exec "$P-x1" env exabgp.daemon.user=root exabgp.daemon.daemonize=false exabgp.api.cli=false \
   exabgp.log.destination="$ST/exabgp.log" exabgp.tcp.bind= exabgp.api.ack=false \
   exabgp "$OUT/conf/exabgp42.conf" >"$ST/exabgp-out.log" 2>&1 &
XPID=$!; PIDS+=($XPID)

# ------------------------------------------------------------------ wait for sessions
established() { ip netns exec "$P-g1" gobgp neighbor 2>/dev/null | grep -c Establ || true; }
for i in $(seq 1 60); do
  n=$(established); [ "$n" -ge 4 ] && break; sleep 1
done
log "g1 sessions established: $(established) (want 4)"
ip netns exec "$P-g1" gobgp neighbor >&2 || true
sleep 4

# ------------------------------------------------------------------ GoBGP injections (g1)
gob g1 global rib add -a ipv4 10.101.0.0/24 origin egp aspath 65101,65102 med 10 local-pref 200 community 65001:1,no-export,blackhole large-community 4200000001:1:1 aggregator 4200000001:10.0.0.1
gob g1 global rib add -a ipv4 10.101.1.0/24 aigp metric 50
gob g1 global rib add -a ipv6 2001:db8:101::/48 nexthop 2001:db8:ffff::1 community 65001:6
gob g1 global rib add -a ipv4-mpls 10.101.20.0/24 1100 nexthop 10.0.0.1
gob g1 global rib add -a ipv4-mpls 10.101.21.0/24 1101/1102 nexthop 10.0.0.1
gob g1 global rib add -a vpnv4 10.101.10.0/24 label 1010 rd 65001:10 rt 65001:10 nexthop 10.0.0.1
gob g1 global rib add -a vpnv4 10.101.11.0/24 label 1011 rd 10.0.0.1:11 rt 10.0.0.1:11 nexthop 10.0.0.1
gob g1 global rib add -a vpnv4 10.101.12.0/24 label 1012 rd 4200000001:12 rt 4200000001:12 nexthop 10.0.0.1
gob g1 global rib add -a vpnv6 2001:db8:101:10::/64 label 1020 rd 65001:20 rt 65001:20 nexthop 2001:db8:ffff::1
gob g1 global rib add -a vpnv6 2001:db8:101:11::/64 label 1021 rd 10.0.0.1:21 rt 10.0.0.1:21 nexthop 2001:db8:ffff::1
gob g1 global rib add -a evpn macadv 52:54:00:01:00:01 0.0.0.0 etag 0 label 10010 rd 10.0.0.1:100 rt 65001:100 encap vxlan
gob g1 global rib add -a evpn macadv 52:54:00:01:00:02 192.168.100.2 etag 0 label 10010 rd 10.0.0.1:100 rt 65001:100 encap vxlan
gob g1 global rib add -a evpn macadv 52:54:00:01:00:03 2001:db8:100::3 etag 0 label 10010 rd 10.0.0.1:100 rt 65001:100 encap vxlan
gob g1 global rib add -a evpn macadv 52:54:00:01:00:04 192.168.100.4 etag 0 label 10010,50010 rd 10.0.0.1:100 rt 65001:100 encap vxlan router-mac 52:54:00:00:ff:01
gob g1 global rib add -a evpn macadv 52:54:00:01:00:05 192.168.100.254 esi ARBITRARY 11:22:33:44:55:66:77:88:99 etag 0 label 10010 rd 10.0.0.1:100 rt 65001:100 default-gateway encap vxlan
gob g1 global rib add -a evpn macadv 52:54:00:01:00:06 192.168.100.6 esi LACP 52:54:00:aa:bb:cc 7 etag 0 label 10010 rd 65001:100 rt 65001:100 encap mpls
gob g1 global rib add -a evpn multicast 10.0.0.1 etag 0 rd 10.0.0.1:100 rt 65001:100 encap vxlan pmsi ingress-repl 10010 10.0.0.1
gob g1 global rib add -a evpn multicast 2001:db8:ffff::1 etag 200 rd 10.0.0.1:200 rt 65001:200 encap vxlan
gob g1 global rib add -a evpn a-d esi ARBITRARY 11:22:33:44:55:66:77:88:99 etag 4294967295 label 0 rd 10.0.0.1:1 rt 65001:100 encap vxlan esi-label 3000
gob g1 global rib add -a evpn a-d esi MAC 52:54:00:aa:bb:cd 9 etag 0 label 10010 rd 10.0.0.1:100 rt 65001:100 encap mpls
gob g1 global rib add -a evpn esi 10.0.0.1 esi ARBITRARY 11:22:33:44:55:66:77:88:99 rd 10.0.0.1:0 rt 65001:100
gob g1 global rib add -a evpn esi 10.0.0.1 esi ROUTERID 10.0.0.1 43 rd 10.0.0.1:2
gob g1 global rib add -a evpn esi 10.0.0.1 esi AS 65001 42 rd 10.0.0.1:3
gob g1 global rib add -a evpn prefix 192.168.150.0/24 etag 0 label 15000 rd 10.0.0.1:150 rt 65001:150 encap vxlan router-mac 52:54:00:00:ff:01
gob g1 global rib add -a evpn prefix 192.168.151.0/24 gw 192.168.151.254 etag 0 label 15001 rd 10.0.0.1:151 rt 65001:151 encap vxlan
gob g1 global rib add -a evpn prefix 2001:db8:152::/64 etag 0 label 15002 rd 10.0.0.1:152 rt 65001:152 encap vxlan router-mac 52:54:00:00:ff:01
gob g1 global rib add -a ipv4-flowspec match destination 10.101.30.0/24 protocol tcp destination-port ==80 then discard
gob g1 global rib add -a ipv4-flowspec match source 10.101.31.0/24 protocol '==tcp' '==udp' port '>=1024' '&<=2048' then rate-limit 1000 as 65001
gob g1 global rib add -a ipv4-flowspec match destination 10.101.32.0/24 protocol icmp icmp-type ==8 icmp-code ==0 packet-length '<100' then redirect 65001:32
gob g1 global rib add -a ipv4-flowspec match destination 10.101.33.0/24 tcp-flags S '&!A' fragment is-fragment dscp ==46 source-port '>1023' then redirect 10.0.0.1:33
gob g1 global rib add -a ipv4-flowspec match destination 10.101.34.0/24 fragment dont-fragment then redirect 4200000001:34
gob g1 global rib add -a ipv4-flowspec match destination 10.101.35.0/24 then mark 10 action sample-terminal
gob g1 global rib add -a ipv6-flowspec match destination 2001:db8:101:30::/64 protocol tcp destination-port ==443 then discard
gob g1 global rib add -a ipv6-flowspec match destination ::1234:0:0/96 64 source 2001:db8:99::/48 label ==74565 then rate-limit 500
gob g1 global rib add -a ipv4-l3vpn-flowspec rd 65001:40 match destination 10.101.40.0/24 protocol udp then discard
gob g1 global rib add -a ipv4-l3vpn-flowspec rd 10.0.0.1:41 match destination 10.101.41.0/24 destination-port ==53 then rate-limit 100
gob g1 global rib add -a ipv6-l3vpn-flowspec rd 65001:42 match destination 2001:db8:101:42::/64 then discard
# RTC memberships come from VRFs (the CLI has no rtc family)
gob g2 vrf add red rd 4200000001:7 rt both 65001:100
gob g1 vrf add blue rd 10.0.0.1:8 rt import 4200000001:200 10.0.0.1:201 rt export 65001:202
sleep 2

# ------------------------------------------------------------------ ROUTE-REFRESH / enhanced RR
vty f1 'clear bgp 10.0.0.1 in'
vty f1 'clear bgp 10.0.0.23 in'
vty f1 'clear bgp ipv4 vpn 10.0.0.23 in'
birdc_ reload in gobgp1
birdc_ reload in frr1
gob g1 neighbor 10.0.0.23 softresetin
gob g1 neighbor 10.0.0.21 softresetin
sleep 2
# ------------------------------------------------------------------ withdrawals
gob g1 global rib del -a ipv4 10.101.1.0/24
gob g1 global rib del -a vpnv4 10.101.11.0/24 label 1011 rd 10.0.0.1:11
gob g1 global rib del -a evpn macadv 52:54:00:01:00:02 192.168.100.2 etag 0 label 10010 rd 10.0.0.1:100
gob g1 global rib del -a ipv4-flowspec match destination 10.101.35.0/24 then mark 10 action sample-terminal
gob g1 global rib del -a ipv6 2001:db8:101::/48 nexthop 2001:db8:ffff::1
vty f1 'configure terminal' 'router bgp 65022' 'address-family ipv4 unicast' 'no network 10.122.1.0/24'
vty f1 'configure terminal' 'router bgp 65022' 'address-family ipv4 vpn' 'no network 10.122.11.0/24 rd 10.0.0.22:11 label 2211'
sleep 2
# ------------------------------------------------------------------ NOTIFICATIONs
birdc_ disable frr1 '"bird: maintenance window"'
sleep 1; birdc_ enable frr1
gob g1 neighbor 10.0.0.22 shutdown --reason "gobgp: planned shutdown of f1"
sleep 1; gob g1 neighbor 10.0.0.22 enable
vty f1 'configure terminal' 'router bgp 65022' 'neighbor 10.0.0.23 shutdown message frr: link maintenance'
vty f1 'configure terminal' 'router bgp 65022' 'no neighbor 10.0.0.23 shutdown'
gob g1 neighbor 10.0.0.21 reset
vty f1 'clear bgp 10.0.0.1'
gob g1 neighbor 10.0.0.2 softreset
sleep 6
# Hold timer: freeze ExaBGP (hold time 6 s) until GoBGP gives up on it
printf '%s\t%s\t%s\n' "$(date +%s.%N)" x1 "kill -STOP <exabgp pid> (hold timer expiry on g1 after 6 s)" >> "$EV"
kill -STOP "$XPID"; sleep 9; kill -CONT "$XPID"
# Maximum-prefix on FRR towards BIRD
vty f1 'configure terminal' 'router bgp 65022' 'address-family ipv4 unicast' 'neighbor 10.0.0.23 maximum-prefix 1'
sleep 3
# peer de-configured
gob g1 neighbor del 10.0.0.2
sleep 3
log "capture done: $(ls -l "$OUT/lab.pcap")"
