#!/usr/bin/env python3
"""Encode BGP messages with the ExaBGP 5 Python library and print them as JSON lines.

ExaBGP 5.0.x has no `encode` sub-command, so this script drives the library directly:
  * "route" entries are ExaBGP configuration text (a `static`, `flow` or `l2vpn` block of a
    neighbor); ExaBGP's own configuration parser builds the route and Update.messages() packs it;
  * "py" entries build ExaBGP objects (EVPN / RTC NLRI, Open, Notification, RouteRefresh, EOR)
    that ExaBGP's configuration language cannot express, and pack them with ExaBGP's packers.
Run with the venv interpreter: /opt/exabgp5/bin/python exa5_encode.py > exa5.jsonl
Each output line: {"topic","name","source","options","comments":[...],"hex"}.
"""
import json
import sys
import socket
from struct import pack

from exabgp.environment import getenv
from exabgp.logger import log

_env = getenv()
log.silence()
log.init(_env)

from exabgp.version import version as EXA_VERSION  # noqa: E402
from exabgp.configuration.configuration import Configuration  # noqa: E402
from exabgp.bgp.message import Update, Open, Notification, KeepAlive, Action  # noqa: E402
from exabgp.bgp.message.notification import Notify  # noqa: E402
from exabgp.bgp.message.refresh import RouteRefresh  # noqa: E402
from exabgp.bgp.message.update.eor import EOR  # noqa: E402
from exabgp.bgp.message.open import Version, ASN, RouterID, HoldTime  # noqa: E402
from exabgp.bgp.message.open.capability import Capabilities, Capability, Negotiated  # noqa: E402
from exabgp.bgp.message.update.nlri import NLRI  # noqa: E402
from exabgp.protocol.family import AFI, SAFI  # noqa: E402
from exabgp.protocol.ip import IP  # noqa: E402
from exabgp.bgp.message.update.attribute import Attributes  # noqa: E402
from exabgp.bgp.message.update.attribute.origin import Origin  # noqa: E402
from exabgp.bgp.message.update.attribute.localpref import LocalPreference  # noqa: E402
from exabgp.bgp.message.update.attribute.aspath import ASPath, SEQUENCE, SET, CONFED_SEQUENCE, CONFED_SET  # noqa: E402
from exabgp.bgp.message.update.attribute.pmsi import PMSIIngressReplication  # noqa: E402
from exabgp.bgp.message.update.attribute.community.extended.communities import ExtendedCommunities  # noqa: E402
from exabgp.bgp.message.update.attribute.community.extended.rt import RouteTargetASN2Number  # noqa: E402
from exabgp.bgp.message.update.attribute.community.extended.encapsulation import Encapsulation  # noqa: E402
from exabgp.bgp.message.update.attribute.community.extended.mac_mobility import MacMobility  # noqa: E402
from exabgp.bgp.message.update.nlri.qualifier import RouteDistinguisher, ESI as EthernetSegmentIdentifier  # noqa: E402
from exabgp.bgp.message.update.nlri.qualifier import EthernetTag, MAC as MACQUAL, Labels  # noqa: E402
from exabgp.bgp.message.update.nlri.evpn.mac import MAC as EVPNMAC  # noqa: E402
from exabgp.bgp.message.update.nlri.evpn.multicast import Multicast as EVPNMulticast  # noqa: E402
from exabgp.bgp.message.update.nlri.evpn.ethernetad import EthernetAD  # noqa: E402
from exabgp.bgp.message.update.nlri.evpn.segment import EthernetSegment  # noqa: E402
from exabgp.bgp.message.update.nlri.evpn.prefix import Prefix as EVPNPrefix  # noqa: E402
from exabgp.bgp.message.update.nlri.rtc import RTC  # noqa: E402
from exabgp.bgp.message.open.asn import ASN as ASNq  # noqa: E402

SOURCE = 'exabgp %s python library (Update.messages / Message.message)' % EXA_VERSION

FAMILIES = ('ipv4 unicast; ipv6 unicast; ipv4 nlri-mpls; ipv6 nlri-mpls; ipv4 mpls-vpn; ipv6 mpls-vpn; '
            'ipv4 flow; ipv6 flow; ipv4 flow-vpn; ipv6 flow-vpn; l2vpn evpn;')


def neighbor_conf(body, local_as=65000, peer_as=65000, capability=''):
    return ('neighbor 192.0.2.2 {\n router-id 192.0.2.1; local-address 192.0.2.1;\n'
            ' local-as %d; peer-as %d;\n family { %s }\n capability { %s }\n %s\n}\n'
            % (local_as, peer_as, FAMILIES, capability, body))


def negotiated_for(neighbor, peer_as):
    """Both sides offer the same capabilities, as ExaBGP's own self-check does."""
    local_as = neighbor['local-as']
    capa = Capabilities().new(neighbor, False, local_as=local_as)
    if neighbor['capability']['add-path']:
        capa[Capability.CODE.ADD_PATH] = {f: neighbor['capability']['add-path'] for f in NLRI.known_families()}
    o1 = Open(Version(4), ASN(local_as), HoldTime(180), RouterID('192.0.2.1'), capa)
    capa2 = Capabilities().new(neighbor, False, local_as=peer_as)
    if neighbor['capability']['add-path']:
        capa2[Capability.CODE.ADD_PATH] = {f: neighbor['capability']['add-path'] for f in NLRI.known_families()}
    o2 = Open(Version(4), ASN(peer_as), HoldTime(180), RouterID('192.0.2.2'), capa2)
    neg = Negotiated(neighbor)
    neg.sent(o1)
    neg.received(o2)
    return neg


def encode_config(body, local_as=65000, peer_as=65000, capability=''):
    # ExaBGP's `withdraw` keyword only matters to its API; we flip the NLRI action ourselves
    withdraw = ' withdraw;' in body
    body = body.replace(' withdraw;', ';')
    conf = neighbor_conf(body, local_as, peer_as, capability)
    c = Configuration([conf], text=True)
    if not c.reload():
        raise ValueError('exabgp rejected config: %s\n%s' % (c.error, conf))
    out = []
    for _, n in c.neighbors.items():
        neg = negotiated_for(n, peer_as)
        for _ in n.rib.outgoing.updates(False):
            pass
        for ch in n.rib.outgoing.cached_changes():
            if withdraw:
                ch.nlri.action = Action.WITHDRAW
            for m in Update([ch.nlri], ch.attributes).messages(neg):
                out.append((ch.extensive(), m))
        n.rib.clear()  # ExaBGP keeps one RIB per neighbor name across Configuration objects
    return out, neg


RECORDS = []


def emit(topic, name, msg, comments, options=''):
    RECORDS.append({'topic': topic, 'name': name, 'source': SOURCE, 'options': options,
                    'comments': comments, 'hex': msg.hex().upper()})


def route(topic, name, body, local_as=65000, peer_as=65000, capability='', options='', note=None):
    """body: an ExaBGP neighbor sub-block (static/flow/l2vpn)."""
    msgs, neg = encode_config(body, local_as, peer_as, capability)
    if not msgs:
        raise ValueError('no message for ' + name)
    opts = options
    if not neg.asn4 and 'as2' not in opts:
        opts = (opts + ' as2').strip()
    for i, (ext, m) in enumerate(msgs):
        c = ['ExaBGP 5 configuration (neighbor local-as %d peer-as %d%s):' % (
            local_as, peer_as, ', capability { %s }' % capability.strip() if capability else ''),
            '  ' + ' '.join(body.split()),
            'ExaBGP reads it back as: ' + ext]
        if note:
            c.append(note)
        emit(topic, name if len(msgs) == 1 else '%s-%d' % (name, i + 1), m, c, opts)


# ----------------------------------------------------------------------------- negotiated for py
_base_msgs, NEG = encode_config('static { route 192.0.2.0/24 next-hop 192.0.2.1; }')
_ap_msgs, NEG_AP = encode_config('static { route 192.0.2.0/24 next-hop 192.0.2.1; }', capability='add-path send/receive;')


def py_update(topic, name, nlris, attrs, code, neg=NEG, options='', extra=None):
    msgs = list(Update(nlris, attrs).messages(neg))
    for i, m in enumerate(msgs):
        c = ['built with ExaBGP 5 classes (EVPN/RTC have no ExaBGP config syntax):', '  ' + code]
        c += ['ExaBGP NLRI: ' + '; '.join(str(n) for n in nlris)]
        if extra:
            c.append(extra)
        emit(topic, name if len(msgs) == 1 else '%s-%d' % (name, i + 1), m, c, options)


def rd(text):
    return RouteDistinguisher.fromElements(*text.rsplit(':', 1)) if hasattr(RouteDistinguisher, 'fromElements') else None


def esi(hexstr):
    return EthernetSegmentIdentifier(bytes.fromhex(hexstr))


def attrs_evpn(rt=(65000, 100), encap=8, extra=()):
    a = Attributes()
    a.add(Origin(Origin.IGP))
    a.add(LocalPreference(100))
    comms = ExtendedCommunities()
    comms.communities.append(RouteTargetASN2Number(rt[0], rt[1]))
    if encap is not None:
        comms.communities.append(Encapsulation(encap))
    for e in extra:
        comms.communities.append(e)
    a.add(comms)
    return a


def nh(ip):
    return IP.create(ip)


def rdb(text):
    """Pack an RD the way RFC 4364 section 4.2 lays it out (type 0, 1 or 2)."""
    admin, num = text.rsplit(':', 1)
    num = int(num)
    if '.' in admin:
        return RouteDistinguisher(pack('!H', 1) + socket.inet_aton(admin) + pack('!H', num))
    admin = int(admin)
    if admin > 0xFFFF:
        return RouteDistinguisher(pack('!HLH', 2, admin, num))
    return RouteDistinguisher(pack('!HHL', 0, admin, num))


def catalog():
    NH = 'next-hop 192.0.2.1'
    # ------------------------------------------------------------------ IPv4 / IPv6 unicast
    T = 'ipv4-ipv6-unicast'
    route(T, 'exa5-ipv4-one-prefix', 'static { route 10.1.0.0/16 %s; }' % NH)
    route(T, 'exa5-ipv4-host-route', 'static { route 10.1.2.3/32 %s med 50; }' % NH)
    route(T, 'exa5-ipv4-default-route', 'static { route 0.0.0.0/0 %s origin egp; }' % NH)
    route(T, 'exa5-ipv4-odd-length', 'static { route 10.128.0.0/9 %s origin incomplete; }' % NH)
    route(T, 'exa5-ipv4-ebgp', 'static { route 198.51.100.0/24 next-hop 192.0.2.1 as-path [ 65000 65010 ]; }', peer_as=65001)
    route(T, 'exa5-ipv4-withdraw', 'static { route 10.1.0.0/16 %s withdraw; }' % NH)
    route(T, 'exa5-ipv6-one-prefix', 'static { route 2001:db8:1::/48 next-hop 2001:db8::1; }')
    route(T, 'exa5-ipv6-host', 'static { route 2001:db8:1:2::5/128 next-hop 2001:db8::1 med 10; }')
    route(T, 'exa5-ipv6-default', 'static { route ::/0 next-hop 2001:db8::1; }')
    route(T, 'exa5-ipv6-odd-length', 'static { route 2001:db8:8000::/33 next-hop 2001:db8::1; }')
    route(T, 'exa5-ipv6-withdraw', 'static { route 2001:db8:1::/48 next-hop 2001:db8::1 withdraw; }')
    route(T, 'exa5-ipv4-as2-session', 'static { route 10.2.0.0/16 next-hop 192.0.2.1 as-path [ 65000 65010 ]; }',
          peer_as=65001, capability='asn4 disable;')
    # ------------------------------------------------------------------ labeled unicast
    T = 'labeled-unicast'
    route(T, 'exa5-lu-ipv4-label', 'static { route 10.10.0.0/24 %s label 100; }' % NH)
    route(T, 'exa5-lu-ipv4-label-stack', 'static { route 10.10.1.0/24 %s label [ 100 200 ]; }' % NH)
    route(T, 'exa5-lu-ipv4-host-label', 'static { route 10.10.2.1/32 %s label 1048575; }' % NH)
    route(T, 'exa5-lu-ipv4-implicit-null', 'static { route 10.10.3.0/24 %s label 3; }' % NH)
    route(T, 'exa5-lu-ipv6-label', 'static { route 2001:db8:10::/64 next-hop 2001:db8::1 label 300; }')
    route(T, 'exa5-lu-ipv6-label-stack', 'static { route 2001:db8:11::/64 next-hop 2001:db8::1 label [ 16 17 18 ]; }')
    route(T, 'exa5-lu-ipv4-withdraw', 'static { route 10.10.0.0/24 %s label 100 withdraw; }' % NH)
    # ------------------------------------------------------------------ VPNv4 / VPNv6
    T = 'vpnv4'
    route(T, 'exa5-vpnv4-rd0', 'static { route 10.20.0.0/24 %s rd 65000:1 label 1000 extended-community target:65000:1; }' % NH)
    route(T, 'exa5-vpnv4-rd1', 'static { route 10.20.1.0/24 %s rd 192.0.2.1:7 label 1001 extended-community target:192.0.2.1:7; }' % NH)
    route(T, 'exa5-vpnv4-rd2', 'static { route 10.20.2.0/24 %s rd 4200000000:9 label 1002 extended-community target:4200000000:9; }' % NH)
    route(T, 'exa5-vpnv4-label-stack', 'static { route 10.20.3.0/24 %s rd 65000:3 label [ 2000 2001 ] extended-community target:65000:3; }' % NH)
    route(T, 'exa5-vpnv4-host', 'static { route 10.20.4.4/32 %s rd 65000:4 label 16 extended-community [ target:65000:4 origin:65000:4 ]; }' % NH)
    route(T, 'exa5-vpnv4-default', 'static { route 0.0.0.0/0 %s rd 65000:5 label 17; }' % NH)
    route(T, 'exa5-vpnv4-withdraw', 'static { route 10.20.0.0/24 %s rd 65000:1 label 1000 withdraw; }' % NH)
    T = 'vpnv6'
    route(T, 'exa5-vpnv6-rd0', 'static { route 2001:db8:20::/64 next-hop 2001:db8::1 rd 65000:1 label 1100 extended-community target:65000:1; }')
    route(T, 'exa5-vpnv6-rd1', 'static { route 2001:db8:21::/48 next-hop 2001:db8::1 rd 192.0.2.1:2 label 1101; }')
    route(T, 'exa5-vpnv6-rd2', 'static { route 2001:db8:22::/56 next-hop 2001:db8::1 rd 4200000000:3 label 1102; }')
    route(T, 'exa5-vpnv6-label-stack', 'static { route 2001:db8:23::1/128 next-hop 2001:db8::1 rd 65000:4 label [ 20 21 ]; }')
    route(T, 'exa5-vpnv6-v4mapped-nh', 'static { route 2001:db8:24::/64 next-hop ::ffff:192.0.2.1 rd 65000:5 label 1105; }')
    route(T, 'exa5-vpnv6-withdraw', 'static { route 2001:db8:20::/64 next-hop 2001:db8::1 rd 65000:1 label 1100 withdraw; }')
    # ------------------------------------------------------------------ flowspec
    T = 'flowspec'
    def flow(name, match, then, rdtxt=None, nexthop=None, note=None):
        inner = ('rd %s; ' % rdtxt if rdtxt else '') + ('next-hop %s; ' % nexthop if nexthop else '')
        route(T, name, 'flow { route { %smatch { %s } then { %s } } }' % (inner, match, then), note=note)
    flow('exa5-flow4-dst-prefix', 'destination 10.30.0.0/24;', 'discard;')
    flow('exa5-flow4-src-prefix', 'source 10.31.0.0/16;', 'accept;')
    flow('exa5-flow4-protocol', 'destination 10.30.1.0/24; protocol [ =tcp =udp ];', 'discard;')
    flow('exa5-flow4-port', 'port [ =80 =443 ];', 'discard;')
    flow('exa5-flow4-dst-port-range', 'destination-port >=1024&<=2048;', 'rate-limit 1000;')
    flow('exa5-flow4-src-port', 'source-port [ >1024 !=5000 ];', 'discard;')
    flow('exa5-flow4-icmp', 'protocol =icmp; icmp-type =8; icmp-code =0;', 'discard;')
    flow('exa5-flow4-tcp-flags', 'protocol =tcp; tcp-flags [ =syn !ack ];', 'discard;')
    flow('exa5-flow4-tcp-flags-and', 'tcp-flags [ syn&ack ];', 'discard;')
    flow('exa5-flow4-packet-length', 'packet-length [ <64 >1500 ];', 'discard;')
    flow('exa5-flow4-dscp', 'dscp [ =46 =10 ];', 'mark 0;')
    flow('exa5-flow4-fragment', 'fragment [ is-fragment first-fragment last-fragment ];', 'discard;')
    flow('exa5-flow4-fragment-dont', 'fragment [ dont-fragment ];', 'accept;')
    flow('exa5-flow4-all-components', 'destination 10.32.0.0/24; source 10.33.0.0/24; protocol =tcp; port =80; '
         'destination-port =8080; source-port >1023; tcp-flags [ syn ]; packet-length <=1000; dscp =8; '
         'fragment [ !is-fragment ];', 'rate-limit 9600;')
    flow('exa5-flow4-redirect-as2', 'destination 10.34.0.0/24;', 'redirect 65000:100;')
    flow('exa5-flow4-redirect-as4', 'destination 10.34.1.0/24;', 'redirect 4200000000:100;')
    flow('exa5-flow4-redirect-nexthop', 'destination 10.34.2.0/24;', 'redirect-to-nexthop;', nexthop='192.0.2.9')
    flow('exa5-flow4-redirect-ip', 'destination 10.34.3.0/24;', 'redirect 192.0.2.10;',
         note='ExaBGP encodes "redirect <ip>" as a next hop plus the Simpson redirect-to-ip ext-community 0x0800')
    flow('exa5-flow4-redirect-ietf-ipv4', 'destination 10.34.4.0/24;', 'redirect-to-nexthop-ietf 192.0.2.11;')
    flow('exa5-flow4-action-sample-terminal', 'destination 10.34.5.0/24;', 'action sample-terminal;')
    flow('exa5-flow4-mark', 'destination 10.34.6.0/24;', 'mark 46;')
    flow('exa5-flow4-rate-zero', 'destination 10.34.7.0/24;', 'rate-limit 0;')
    flow('exa5-flow6-dst-prefix', 'destination 2001:db8:30::/48/0;', 'discard;')
    flow('exa5-flow6-src-offset', 'source 2001:db8:31::/64/16; destination ::1234:5678:0:0/96/64;', 'discard;',
         note='IPv6 prefixes with a non-zero offset (RFC 8956)')
    flow('exa5-flow6-next-header', 'destination 2001:db8:32::/64/0; next-header [ =tcp =udp ];', 'discard;')
    flow('exa5-flow6-flow-label', 'destination 2001:db8:33::/64/0; flow-label [ =1234 ];', 'discard;')
    flow('exa5-flow6-traffic-class', 'traffic-class [ =46 ];', 'discard;')
    flow('exa5-flow6-icmp-ports', 'next-header =58; icmp-type =128; icmp-code =0; packet-length <100;', 'rate-limit 500;')
    flow('exa5-flow6-tcp', 'next-header =6; destination-port [ =22 =23 ]; source-port >=1024; tcp-flags [ fin rst ]; fragment [ is-fragment ];', 'discard;')
    flow('exa5-flow6-redirect-ietf', 'destination 2001:db8:34::/64/0;', 'redirect-to-nexthop-ietf 2001:db8::99;')
    flow('exa5-flowvpn4-rd0', 'destination 10.35.0.0/24; destination-port =53;', 'discard; extended-community target:65000:35;', rdtxt='65000:35')
    flow('exa5-flowvpn4-rd1', 'source 10.36.0.0/24; protocol =udp;', 'rate-limit 2000; extended-community target:65000:36;', rdtxt='192.0.2.1:36')
    flow('exa5-flowvpn4-rd2', 'destination 10.37.0.0/24;', 'redirect 65000:37;', rdtxt='4200000000:37')
    flow('exa5-flowvpn6-rd0', 'destination 2001:db8:35::/64/0; next-header =17;', 'discard; extended-community target:65000:38;', rdtxt='65000:38')
    # ------------------------------------------------------------------ attributes
    T = 'attributes'
    route(T, 'exa5-attr-origin-med-lp', 'static { route 10.40.0.0/24 %s origin egp med 1000 local-preference 250; }' % NH)
    route(T, 'exa5-attr-aspath4-seq', 'static { route 10.40.1.0/24 next-hop 192.0.2.1 as-path [ 65000 4200000001 65002 ]; }', peer_as=65001)
    route(T, 'exa5-attr-aspath4-set', 'static { route 10.40.2.0/24 next-hop 192.0.2.1 as-path [ 65000 65003 ] ( 65004 4200000005 ) atomic-aggregate aggregator ( 65000:192.0.2.1 ); }', peer_as=65001,
          note='exabgp 5.0.15 prints the path back as "( 65000 65003 ) [ 65004 4200000005 ]": its text output swaps the bracket styles of its own parser; the bytes hold AS_SEQUENCE then AS_SET')
    route(T, 'exa5-attr-aspath2-with-as4path', 'static { route 10.40.3.0/24 next-hop 192.0.2.1 as-path [ 65000 4200000001 65002 ]; }',
          peer_as=65001, capability='asn4 disable;', note='session without 4-octet AS: AS_TRANS (23456) in AS_PATH plus AS4_PATH')
    route(T, 'exa5-attr-aspath2-set-as4path', 'static { route 10.40.4.0/24 next-hop 192.0.2.1 as-path [ 65000 ] ( 4200000005 65006 ) aggregator ( 4200000009:192.0.2.9 ); }',
          peer_as=65001, capability='asn4 disable;', note='AS_SET with a 4-octet AS and a 4-octet aggregator on a 2-octet session: AS4_PATH and AS4_AGGREGATOR')
    route(T, 'exa5-attr-aspath2-plain', 'static { route 10.40.5.0/24 next-hop 192.0.2.1 as-path [ 65000 65010 65020 ] aggregator ( 65000:192.0.2.1 ) atomic-aggregate; }',
          peer_as=65001, capability='asn4 disable;')
    route(T, 'exa5-attr-aspath-empty-ibgp', 'static { route 10.40.6.0/24 %s; }' % NH)
    route(T, 'exa5-attr-communities', 'static { route 10.40.7.0/24 %s community [ 65000:1 65000:65535 no-export no-advertise no-export-subconfed nopeer blackhole ]; }' % NH)
    route(T, 'exa5-attr-large-community', 'static { route 10.40.8.0/24 %s large-community [ 65000:1:2 4200000000:4294967295:0 ]; }' % NH)
    route(T, 'exa5-attr-originator-cluster', 'static { route 10.40.9.0/24 %s originator-id 192.0.2.50 cluster-list [ 192.0.2.60 192.0.2.61 ]; }' % NH)
    route(T, 'exa5-attr-ext-rt-as2', 'static { route 10.40.10.0/24 %s extended-community [ target:65000:100 ]; }' % NH)
    route(T, 'exa5-attr-ext-rt-ipv4', 'static { route 10.40.11.0/24 %s extended-community [ target:192.0.2.1:100 ]; }' % NH)
    route(T, 'exa5-attr-ext-rt-as4', 'static { route 10.40.12.0/24 %s extended-community [ target:4200000000:100 ]; }' % NH)
    route(T, 'exa5-attr-ext-origin', 'static { route 10.40.13.0/24 %s extended-community [ origin:65000:200 origin:192.0.2.1:201 origin:4200000000:202 ]; }' % NH)
    route(T, 'exa5-attr-ext-l2info', 'static { route 10.40.14.0/24 %s extended-community [ l2info:19:0:1500:111 ]; }' % NH)
    route(T, 'exa5-attr-ext-bandwidth', 'static { route 10.40.15.0/24 %s extended-community [ bandwidth:65000:125000000 ]; }' % NH)
    route(T, 'exa5-attr-ext-raw-encap-vxlan', 'static { route 10.40.16.0/24 %s extended-community [ 0x030c000000000008 ]; }' % NH,
          note='raw hex extended community: opaque/encapsulation, tunnel type 8 (VXLAN)')
    route(T, 'exa5-attr-ext-raw-mac-mobility-sticky', 'static { route 10.40.17.0/24 %s extended-community [ 0x0600010000000005 ]; }' % NH,
          note='raw hex extended community: EVPN MAC mobility, sticky flag set, sequence 5')
    route(T, 'exa5-attr-aigp', 'static { route 10.40.18.0/24 %s aigp 100; }' % NH)
    route(T, 'exa5-attr-generic-otc', 'static { route 10.40.19.0/24 next-hop 192.0.2.1 attribute [ 0x23 0xc0 0x0000fde8 ]; }', peer_as=65001,
          note='OTC (Only To Customer, RFC 9234, code 35) as a raw attribute: ExaBGP 5 has no OTC keyword')
    route(T, 'exa5-attr-everything', 'static { route 10.40.20.0/24 next-hop 192.0.2.1 origin igp as-path [ 65000 65100 ] med 5 '
          'local-preference 300 atomic-aggregate aggregator ( 65100:192.0.2.100 ) community [ 65000:7 ] '
          'large-community [ 65000:7:7 ] extended-community [ target:65000:7 ] originator-id 192.0.2.7 cluster-list [ 192.0.2.8 ]; }' % (), peer_as=65000)
    # ------------------------------------------------------------------ add-path
    T = 'addpath'
    AP = 'add-path send/receive;'
    route(T, 'exa5-addpath-ipv4', 'static { route 10.50.0.0/24 %s path-information 1; }' % NH, capability=AP, options='addpath-rx=1/1')
    route(T, 'exa5-addpath-ipv4-id-large', 'static { route 10.50.1.0/24 %s path-information 255.255.255.254; }' % NH, capability=AP, options='addpath-rx=1/1')
    route(T, 'exa5-addpath-ipv4-withdraw', 'static { route 10.50.0.0/24 %s path-information 1 withdraw; }' % NH, capability=AP, options='addpath-rx=1/1')
    route(T, 'exa5-addpath-ipv6', 'static { route 2001:db8:50::/48 next-hop 2001:db8::1 path-information 0.0.0.7; }', capability=AP, options='addpath-rx=2/1')
    route(T, 'exa5-addpath-vpnv4', 'static { route 10.50.2.0/24 %s rd 65000:50 label 500 path-information 9; }' % NH, capability=AP, options='addpath-rx=1/128')
    route(T, 'exa5-addpath-lu', 'static { route 10.50.3.0/24 %s label 501 path-information 10; }' % NH, capability=AP, options='addpath-rx=1/4')


def pycatalog():
    T = 'evpn'
    nh4 = nh('192.0.2.1')
    # type 1
    nl = EthernetAD(rdb('192.0.2.1:1'), esi('00112233445566778899'), EthernetTag(0), Labels([100]), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t1-esi0', [nl], attrs_evpn(), 'EthernetAD(rd 192.0.2.1:1, esi 00:11:22:33:44:55:66:77:88:99, etag 0, label 100)')
    nl = EthernetAD(rdb('192.0.2.1:2'), esi('01aabbccddeeff000100'), EthernetTag(0xFFFFFFFF), Labels([0]), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t1-esi1-per-es', [nl], attrs_evpn(), 'EthernetAD(rd 192.0.2.1:2, esi type 1 (LACP) 01:aa:bb:cc:dd:ee:ff:00:01:00, etag MAX-ET 0xFFFFFFFF, label 0) - per-ES A-D route')
    # type 2
    nl = EVPNMAC(rdb('65000:10'), esi('00' * 10), EthernetTag(0), MACQUAL('52:54:00:12:34:56'), 48, Labels([1000]), None, nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t2-mac-only', [nl], attrs_evpn(), 'MAC(rd 65000:10, esi 0, etag 0, mac 52:54:00:12:34:56, label 1000, no ip)')
    nl = EVPNMAC(rdb('192.0.2.1:10'), esi('00' * 10), EthernetTag(0), MACQUAL('52:54:00:12:34:57'), 48, Labels([1000]), IP.create('10.60.0.7'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t2-mac-ipv4', [nl], attrs_evpn(), 'MAC(rd 192.0.2.1:10, mac 52:54:00:12:34:57, ip 10.60.0.7, label 1000)')
    nl = EVPNMAC(rdb('4200000000:10'), esi('00' * 10), EthernetTag(5), MACQUAL('52:54:00:12:34:58'), 48, Labels([1000]), IP.create('2001:db8:60::8'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t2-mac-ipv6', [nl], attrs_evpn(), 'MAC(rd 4200000000:10 (type 2), etag 5, mac 52:54:00:12:34:58, ip 2001:db8:60::8, label 1000)')
    nl = EVPNMAC(rdb('192.0.2.1:11'), esi('00' * 10), EthernetTag(0), MACQUAL('52:54:00:12:34:59'), 48, Labels([1000, 5000], bos=False), IP.create('10.60.0.9'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t2-two-labels', [nl], attrs_evpn(), 'MAC(..., mac 52:54:00:12:34:59, ip 10.60.0.9, labels [1000 5000] with no bottom-of-stack bit (EVPN labels are not a stack))')
    nl = EVPNMAC(rdb('192.0.2.1:12'), esi('03001122334455000010'), EthernetTag(0), MACQUAL('52:54:00:12:34:5a'), 48, Labels([1000]), None, nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t2-esi3-mobility-sticky', [nl], attrs_evpn(extra=[MacMobility(7, sticky=True)]),
              'MAC(..., esi type 3 (MAC-based) 03:00:11:22:33:44:55:00:00:10, mac 52:54:00:12:34:5a, label 1000) + MacMobility(seq 7, sticky)')
    nl = EVPNMAC(rdb('192.0.2.1:10'), esi('00' * 10), EthernetTag(0), MACQUAL('52:54:00:12:34:57'), 48, Labels([1000]), IP.create('10.60.0.7'), nexthop=nh4, action=Action.WITHDRAW)
    py_update(T, 'exa5-evpn-t2-withdraw', [nl], Attributes(), 'MAC(...) withdrawn (MP_UNREACH_NLRI)')
    # type 3
    nl = EVPNMulticast(rdb('192.0.2.1:10'), EthernetTag(0), IP.create('192.0.2.1'), nexthop=nh4, action=Action.ANNOUNCE)
    a = attrs_evpn()
    a.add(PMSIIngressReplication('192.0.2.1', label=1000))
    py_update(T, 'exa5-evpn-t3-ipv4-pmsi', [nl], a, 'Multicast(rd 192.0.2.1:10, etag 0, originator 192.0.2.1) + PMSIIngressReplication(192.0.2.1, label 1000)')
    nl = EVPNMulticast(rdb('65000:11'), EthernetTag(100), IP.create('2001:db8::1'), nexthop=IP.create('2001:db8::1'), action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t3-ipv6-originator', [nl], attrs_evpn(), 'Multicast(rd 65000:11, etag 100, originator 2001:db8::1), IPv6 next hop')
    # type 4
    nl = EthernetSegment(rdb('192.0.2.1:0'), esi('00112233445566778899'), IP.create('192.0.2.1'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t4-ipv4', [nl], attrs_evpn(encap=None), 'EthernetSegment(rd 192.0.2.1:0, esi 00:11:..:99, originator 192.0.2.1)')
    nl = EthernetSegment(rdb('192.0.2.1:0'), esi('01aabbccddeeff000100'), IP.create('2001:db8::1'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t4-ipv6', [nl], attrs_evpn(encap=None), 'EthernetSegment(rd 192.0.2.1:0, esi type 1, originator 2001:db8::1)')
    # type 5
    nl = EVPNPrefix(rdb('192.0.2.1:20'), esi('00' * 10), EthernetTag(0), Labels([3000]), IP.create('10.61.0.0'), 24, IP.create('0.0.0.0'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t5-ipv4', [nl], attrs_evpn(), 'Prefix(rd 192.0.2.1:20, etag 0, 10.61.0.0/24, gw 0.0.0.0, label 3000)')
    nl = EVPNPrefix(rdb('192.0.2.1:21'), esi('00' * 10), EthernetTag(0), Labels([3001]), IP.create('10.62.1.0'), 24, IP.create('10.62.1.254'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t5-ipv4-gw', [nl], attrs_evpn(), 'Prefix(rd 192.0.2.1:21, 10.62.1.0/24, gw 10.62.1.254, label 3001)')
    nl = EVPNPrefix(rdb('65000:22'), esi('00' * 10), EthernetTag(0), Labels([3002]), IP.create('2001:db8:62::'), 64, IP.create('::'), nexthop=nh4, action=Action.ANNOUNCE)
    py_update(T, 'exa5-evpn-t5-ipv6', [nl], attrs_evpn(), 'Prefix(rd 65000:22, 2001:db8:62::/64, gw ::, label 3002)')
    # ------------------------------------------------------------------ RTC
    T = 'rtc'
    # ExaBGP 5's configuration refuses "ipv4 rtc" as a family; mark it negotiated by hand
    if (AFI.ipv4, SAFI.rtc) not in NEG.families:
        NEG.families.append((AFI.ipv4, SAFI.rtc))
    for name, origin, rt, text in (
        ('exa5-rtc-as2-rt', 65000, RouteTargetASN2Number(65000, 100), 'RTC(origin 65000, rt target:65000:100)'),
        ('exa5-rtc-ipv4-rt', 65000, __import__('exabgp.bgp.message.update.attribute.community.extended.rt', fromlist=['x']).RouteTargetIPNumber('192.0.2.1', 5), 'RTC(origin 65000, rt target:192.0.2.1:5)'),
        ('exa5-rtc-as4-rt', 4200000000, __import__('exabgp.bgp.message.update.attribute.community.extended.rt', fromlist=['x']).RouteTargetASN4Number(4200000000, 6), 'RTC(origin 4200000000, rt target:4200000000:6)'),
        ('exa5-rtc-default', 0, None, 'RTC wildcard (zero-length prefix: default route-target membership)'),
    ):
        nl = RTC.new(AFI.ipv4, SAFI.rtc, ASNq(origin), rt, nexthop=nh4, action=Action.ANNOUNCE)
        a = Attributes()
        a.add(Origin(Origin.IGP))
        a.add(LocalPreference(100))
        py_update(T, name, [nl], a, text)
    nl = RTC.new(AFI.ipv4, SAFI.rtc, ASNq(65000), RouteTargetASN2Number(65000, 100), nexthop=nh4, action=Action.WITHDRAW)
    py_update(T, 'exa5-rtc-withdraw', [nl], Attributes(), 'RTC(origin 65000, rt target:65000:100) withdrawn')
    # ------------------------------------------------------------------ End-of-RIB
    T = 'eor'
    for afi, safi in ((1, 1), (2, 1), (1, 4), (2, 4), (1, 128), (2, 128), (25, 70), (1, 132), (1, 133), (2, 133), (1, 134), (2, 134)):
        m = EOR(AFI.create(afi), SAFI.create(safi)).message(NEG)
        RECORDS.append({'topic': T, 'name': 'exa5-eor-%d-%d' % (afi, safi), 'source': SOURCE, 'options': '',
                        'comments': ['EOR(AFI %d, SAFI %d).message()' % (afi, safi)], 'hex': m.hex().upper()})
    # ------------------------------------------------------------------ confederation AS_PATH
    T = 'attributes'
    from exabgp.bgp.message.update.attribute.nexthop import NextHop
    from exabgp.bgp.message.update.nlri.inet import INET
    from exabgp.bgp.message.update.nlri.cidr import CIDR
    for name, segs, text in (
        ('exa5-attr-aspath-confed-seq', [CONFED_SEQUENCE([ASNq(65101), ASNq(65102)]), SEQUENCE([ASNq(65000)])], 'ASPath([CONFED_SEQUENCE(65101 65102), SEQUENCE(65000)])'),
        ('exa5-attr-aspath-confed-set', [CONFED_SET([ASNq(65103), ASNq(65104)]), SEQUENCE([ASNq(65000), ASNq(4200000007)])], 'ASPath([CONFED_SET(65103 65104), SEQUENCE(65000 4200000007)])'),
    ):
        n = INET(AFI.ipv4, SAFI.unicast, Action.ANNOUNCE)
        n.cidr = CIDR(socket.inet_aton('10.41.0.0'), 16) if name.endswith('seq') else CIDR(socket.inet_aton('10.42.0.0'), 16)
        n.nexthop = nh4
        a = Attributes()
        a.add(Origin(Origin.IGP))
        a.add(ASPath(segs))
        a.add(NextHop('192.0.2.1'))
        a.add(LocalPreference(100))
        py_update(T, name, [n], a, text, extra='confederation segments (RFC 5065) have no ExaBGP config syntax that survives its tokeniser')
    # ------------------------------------------------------------------ OPEN / NOTIFICATION / KEEPALIVE / ROUTE-REFRESH
    from exabgp.configuration.configuration import Configuration as C
    T = 'open'
    for name, local_as, cap, note in (
        ('exa5-open-default', 65000, '', 'default capabilities of an ExaBGP 5 neighbor with 12 families'),
        ('exa5-open-as4-large', 4200000000, 'route-refresh; graceful-restart 120; add-path send/receive; extended-message; software-version;',
         '4-octet local AS (AS_TRANS in My AS), route refresh + enhanced RR, GR, add-path, extended message, software version'),
        ('exa5-open-as2-nocap4', 65000, 'asn4 disable; multi-session; operational;', 'no 4-octet AS capability; multi-session (draft code 68 and Cisco 131), operational (code 185)'),
        ('exa5-open-nexthop', 65000, 'nexthop;', 'extended next hop (RFC 8950) capability'),
    ):
        body = 'static { route 192.0.2.0/24 next-hop 192.0.2.1; }'
        if name == 'exa5-open-nexthop':
            body += ' nexthop { ipv4 unicast ipv6; ipv4 mpls-vpn ipv6; }'
        conf = neighbor_conf(body, local_as, local_as, cap)
        c = C([conf], text=True)
        if not c.reload():
            raise ValueError(str(c.error))
        n = list(c.neighbors.values())[0]
        capa = Capabilities().new(n, False, local_as=local_as)
        m = Open(Version(4), ASN(local_as), HoldTime(180), RouterID('192.0.2.1'), capa).message()
        RECORDS.append({'topic': T, 'name': name, 'source': SOURCE, 'options': '' if 'asn4 disable' not in cap else 'as2',
                        'comments': ['Open(...) with the capabilities ExaBGP builds for: capability { %s }' % cap, note,
                                     'ExaBGP reads the neighbor with host-name/domain-name from the machine, so the FQDN capability carries "vm"'],
                        'hex': m.hex().upper()})
    T = 'notification'
    for code, sub, data, note in (
        (6, 2, 'maintenance window', 'Cease / Administrative Shutdown with a shutdown communication (RFC 9003)'),
        (6, 4, b'', 'Cease / Administrative Reset, no data'),
        (4, 0, b'', 'Hold Timer Expired'),
        (2, 2, pack('!H', 65099), 'OPEN error / Bad Peer AS, data = the AS'),
        (3, 1, b'', 'UPDATE error / Malformed Attribute List'),
        (1, 2, pack('!H', 5000), 'Header error / Bad Message Length, data = the length'),
        (2, 7, pack('!BB', 2, 0), 'OPEN error / Unsupported Capability'),
        (5, 1, b'', 'FSM error / unexpected message in OpenSent'),
        (6, 1, pack('!HBL', 1, 1, 1000), 'Cease / Maximum Number of Prefixes Reached, data = AFI, SAFI, limit (RFC 4486)'),
    ):
        if isinstance(data, str):
            payload = bytes([len(data)]) + data.encode()
            m = Notify(code, sub, data).message()
        else:
            payload = data
            m = Notification(code, sub, payload, parse_data=False)._message(bytes([code, sub]) + payload)
        RECORDS.append({'topic': T, 'name': 'exa5-notification-%d-%d' % (code, sub), 'source': SOURCE, 'options': '',
                        'comments': ['Notification(%d, %d, data=%s).message()' % (code, sub, payload.hex() or "''"), note],
                        'hex': m.hex().upper()})
    T = 'keepalive-refresh'
    RECORDS.append({'topic': T, 'name': 'exa5-keepalive', 'source': SOURCE, 'options': '', 'comments': ['KeepAlive().message()'],
                    'hex': KeepAlive().message().hex().upper()})
    for afi, safi, res, note in ((1, 1, 0, 'plain route refresh'), (2, 1, 0, 'plain, IPv6'), (1, 128, 0, 'plain, VPNv4'),
                                 (25, 70, 0, 'plain, EVPN'), (1, 1, 1, 'BoRR (RFC 7313)'), (1, 1, 2, 'EoRR (RFC 7313)'),
                                 (1, 128, 1, 'BoRR VPNv4'), (1, 128, 2, 'EoRR VPNv4')):
        m = RouteRefresh(AFI.create(afi), SAFI.create(safi), res).message()
        RECORDS.append({'topic': T, 'name': 'exa5-route-refresh-%d-%d-%d' % (afi, safi, res), 'source': SOURCE, 'options': '',
                        'comments': ['RouteRefresh(%d, %d, reserved=%d).message(): %s' % (afi, safi, res, note)],
                        'hex': m.hex().upper()})


def main():
    failures = []
    for fn in (catalog, pycatalog):
        try:
            fn()
        except Exception as exc:  # report and carry on with what we have
            import traceback
            traceback.print_exc()
            failures.append(str(exc))
    seen = set()
    for r in RECORDS:
        if r['name'] in seen:
            raise SystemExit('duplicate name ' + r['name'])
        seen.add(r['name'])
        print(json.dumps(r))
    if failures:
        sys.exit(1)


if __name__ == '__main__':
    main()
