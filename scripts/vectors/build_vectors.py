#!/usr/bin/env python3
"""Turn message records (JSON lines from exa5_encode.py and split_capture.py) into the
Tests/BGPWireTests/Vectors/*.vectors files, with tshark cross-check lines.

    build_vectors.py OUTDIR records1.jsonl [records2.jsonl ...]

One file per topic; existing files for the topics present in the input are overwritten.
"""
import json
import os
import re
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tshark_fields import fields_for  # noqa: E402

TOPIC_TITLE = {
    'open': 'OPEN messages and their capabilities',
    'notification': 'NOTIFICATION messages',
    'keepalive-refresh': 'KEEPALIVE and ROUTE-REFRESH (incl. enhanced route refresh BoRR/EoRR) messages',
    'ipv4-ipv6-unicast': 'IPv4 / IPv6 unicast UPDATEs (AFI 1/2, SAFI 1)',
    'labeled-unicast': 'labeled unicast UPDATEs (RFC 8277, SAFI 4)',
    'vpnv4': 'VPNv4 UPDATEs (AFI 1, SAFI 128)',
    'vpnv6': 'VPNv6 UPDATEs (AFI 2, SAFI 128)',
    'evpn': 'EVPN UPDATEs (AFI 25, SAFI 70)',
    'rtc': 'route target constraint UPDATEs (AFI 1, SAFI 132)',
    'flowspec': 'flow specification UPDATEs (SAFI 133 and VPN flowspec SAFI 134)',
    'attributes': 'UPDATEs chosen for their path attributes',
    'eor': 'End-of-RIB markers',
    'addpath': 'UPDATEs on sessions with ADD-PATH',
}
MAX_TSHARK_LINES = 60


def notes(rec, fields):
    """Comments on where tshark 4.0 and the producing tool part ways (checked by hand, see README)."""
    out = []
    names = {k for k, _ in fields}
    vals = dict(fields)
    if '_ws.malformed' in names:
        out.append('tshark 4.0 reports this message as malformed (see the _ws.malformed line)')
    if 'bgp.evpn.nlri.vni' in names:
        out.append('tshark 4.0 shows each EVPN label field as bgp.evpn.nlri.vni = the raw 24 bits '
                   '(an MPLS label L with the bottom-of-stack bit reads as L*16+1, a VNI reads as itself)')
    if 'bgp.evpn.nlri.rd' in names:
        out.append('tshark 4.0 prints the EVPN RD (bgp.evpn.nlri.rd) as raw bytes: 2-byte type, then the value')
    if rec['topic'] == 'notification' and vals.get('bgp.notify.major_error') == '0':
        out.append('error code 0 is not a defined NOTIFICATION code: GoBGP 3.10 sends it when it resets the session '
                   'on a flowspec NLRI it refuses ("ipv4-flowspec nlri violate strict type ordering", from BIRD 2.0.12)')
    if rec['topic'] == 'notification' and vals.get('bgp.notify.major_error') == '3' and 'frr' in rec['source'] \
            and 'evpn multicast 2001:db8' in ' '.join(rec['comments']):
        out.append('FRR 8.4 answers GoBGP\'s EVPN type-3 route with an IPv6 originator (over an IPv4 session) with '
                   'this UPDATE error / optional attribute error and resets the session')
    if rec['topic'] == 'rtc' and any(k == 'bgp.community_prefix' and v.startswith('4294967295:') for k, v in fields):
        out.append('DISAGREEMENT: tshark 4.0 shows the 4-octet-AS route target in the RTC NLRI as 4294967295:N; '
                   'the bytes carry type 0x0202 with AS 4200000000 (as the producing tool says)')
    if re.search(r'offset|ipv6_pref_offset', ' '.join(rec['comments'])) or 'bgp.flowspec_nlri.ipv6_pref_offset' in names:
        if any(k == 'bgp.flowspec_nlri.ipv6_pref_offset' and v != '0' for k, v in fields):
            out.append('DISAGREEMENT: tshark 4.0 mis-reads IPv6 flowspec prefixes with a non-zero offset (RFC 8956): '
                       'it takes the pattern as if it started at bit 0, so the address and every component after it '
                       'are decoded wrongly; the producing tool and RFC 8956 put only (length - offset) bits of pattern')
    return out


def wrap_hex(hx, width=128):
    parts = [hx[i:i + width] for i in range(0, len(hx), width)]
    return 'hex: ' + parts[0] + ''.join('\n     ' + p for p in parts[1:])


def main():
    outdir = sys.argv[1]
    records = []
    for path in sys.argv[2:]:
        for line in open(path):
            if line.strip():
                records.append(json.loads(line))
    for r in records:
        r['options'] = ' '.join(o for o in r.get('options', '').split() if o != 'UNKNOWN-SESSION')
    # names must be unique per topic file before tshark results are keyed by them
    used = set()
    for r in records:
        base, name, n = r['name'], r['name'], 2
        while (r['topic'], name) in used:
            name = '%s-%d' % (base, n)
            n += 1
        used.add((r['topic'], name))
        r['name'] = name
    if len({r['name'] for r in records}) != len(records):
        raise SystemExit('vector names must be unique across all topics')
    fields = fields_for(records)
    by_topic = OrderedDict()
    for r in records:
        by_topic.setdefault(r['topic'], []).append(r)
    os.makedirs(outdir, exist_ok=True)
    summary = []
    for topic, recs in by_topic.items():
        used = set()
        blocks = []
        for r in recs:
            name = r['name']
            n = 2
            while name in used:
                name = '%s-%d' % (r['name'], n)
                n += 1
            used.add(name)
            f = fields[r['name']]
            lines = ['# ' + c for c in r['comments']]
            lines += ['# ' + c for c in notes(r, f)]
            lines.append('name: ' + name)
            lines.append('source: ' + r['source'])
            if r['options']:
                lines.append('options: ' + r['options'])
            lines.append(wrap_hex(r['hex'].upper()))
            shown = [(k, v) for k, v in f if k != '_ws.malformed'][:MAX_TSHARK_LINES]
            if len(f) > MAX_TSHARK_LINES:
                lines.insert(-1, '# (tshark lines cut at %d fields)' % MAX_TSHARK_LINES)
            lines += ['tshark: %s=%s' % (k, v) for k, v in shown]
            blocks.append('\n'.join(lines))
        header = ['# %s.vectors: %s.' % (topic, TOPIC_TITLE.get(topic, topic)),
                  '# Generated by scripts/vectors/regenerate.sh (see scripts/vectors/README.md); do not edit by hand.',
                  '# tshark lines: Wireshark/tshark %s BGP dissector, field=value from `tshark -T pdml` (show value).'
                  % os.environ.get('TSHARK_VERSION', '4.0'),
                  '#']
        with open(os.path.join(outdir, topic + '.vectors'), 'w') as fh:
            fh.write('\n'.join(header) + '\n' + '\n\n'.join(blocks) + '\n')
        srcs = OrderedDict()
        for r in recs:
            k = r['source'].split(' capture')[0].split(' python')[0]
            srcs[k] = srcs.get(k, 0) + 1
        summary.append('%-20s %4d  %s' % (topic + '.vectors', len(recs), ', '.join('%s: %d' % kv for kv in srcs.items())))
    print('\n'.join(summary))
    print('total %d vectors' % len(records))


if __name__ == '__main__':
    main()
