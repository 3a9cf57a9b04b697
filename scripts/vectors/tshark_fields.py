#!/usr/bin/env python3
"""Decode BGP messages with tshark and pick the fields worth cross-checking.

Library use:  fields_for(records) -> {name: [(field, value), ...]}
Each record is a dict with 'name', 'hex' and 'options'. Messages are written to a hexdump,
turned into a pcap with text2pcap (fake IPv4/TCP port 179) and dissected with `tshark -T pdml`.
Records whose options contain `as2` are dissected with the preference bgp.asn_len:2.
"""
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET

# field names (regex) never worth a `tshark:` line: framing, lengths, flag bits, containers
SKIP = re.compile(r'''(
    ^bgp$ | ^bgp\.marker$ | ^bgp\.length(\.invalid)?$ | \.length$ | \.len$ | _len$ | (?<!^bgp\.prefix)_length$ | (?<!mmac)\.flags$ | \.flags\. | mp_reach_nlri\.next_hop$ |
    ^bgp\.update\.path_attributes?$ | ^bgp\.update\.path_attributes\.length$ | ^bgp\.open\.opt | \.reserved$ |
    ^bgp\.cap$ | ^bgp\.cap\.length$ | \.op\. | \.opflags$ | nbr_snpa | \.val_tcp\.flags\. | \.val_frag_ |
    esi\.remaining | ^bgp\.update\.withdrawn_routes$ | ^bgp\.update\.nlri$ | ^bgp\.evpn\.nlri$ |
    ^bgp\.flowspec_nlri$ | ^bgp\.flowspec_nlri\.filter$ | ^bgp\.ext_communities$ | ^bgp\.update\.path_attribute$ |
    \.mp_reach_nlri$ | \.mp_unreach_nlri$ | as_path_segment$ | ^bgp\.large_communities$ | \.communities$ |
    ^bgp\.update\.path_attribute\.community$ | ^bgp\.ext_com\.type\.(tran|auth)$ | ^bgp\.cap\.gr\.timers$ |
    ^bgp\.cap\.gr\.flag | ^bgp\.notify\.minor_data$ | \.emptybytes$ | ^bgp\.path_attribute\.cluster_list$ |
    ^bgp\.label_stack$ | \.timers\.(restart_flag|notification_flag)$ | ^bgp\.update\.path_attribute\.as_path_segment\.length$ |
    ^bgp\.update\.attribute\.aigp\.(type|length)$ | \.tunnel\.flags$ | ^bgp\.cap\.fqdn\.(hostname|domain_name)\.len
)''', re.X)


def _hexdump(path, messages):
    with open(path, 'w') as f:
        for hx in messages:
            b = bytes.fromhex(hx)
            for i in range(0, len(b), 16):
                f.write('%06x  %s\n' % (i, ' '.join('%02x' % x for x in b[i:i + 16])))
            f.write('\n')


def _walk(node, out):
    for fld in node.findall('field'):
        name = fld.get('name', '')
        show = fld.get('show')
        if name.startswith('bgp') and show not in (None, '') and not SKIP.search(name):
            # containers: label stack, path attribute summary, ext community, etc.
            out.append((name, show))
        _walk(fld, out)
        # label stacks are a text-only tree in 4.0; keep the summary line
        if name == 'bgp.label_stack':
            out.append((name, fld.get('show')))


def run_tshark(messages, prefs=()):
    """Dissect a list of hex messages; return a list (one per message) of [(field, value)]."""
    with tempfile.TemporaryDirectory() as d:
        txt, pcap = os.path.join(d, 'm.txt'), os.path.join(d, 'm.pcap')
        _hexdump(txt, messages)
        subprocess.run(['text2pcap', '-q', '-T', '179,179', '-4', '198.51.100.1,198.51.100.2', txt, pcap], check=True)
        cmd = ['tshark', '-r', pcap, '-T', 'pdml', '-o', 'tcp.analyze_sequence_numbers:FALSE',
               '-o', 'tcp.desegment_tcp_streams:FALSE']
        for p in prefs:
            cmd += ['-o', p]
        xml = subprocess.run(cmd, check=True, capture_output=True).stdout
    root = ET.fromstring(xml)
    result = []
    for pkt in root.findall('packet'):
        fields = []
        for proto in pkt.findall('proto'):
            if proto.get('name') in ('bgp', '_ws.malformed', '_ws.expert'):
                if proto.get('name') != 'bgp':
                    fields.append(('_ws.malformed', proto.get('showname', 'malformed')))
                    continue
                _walk(proto, fields)
        # several BGP PDUs in one TCP segment are several bgp protos; we always send one
        dedup, seen = [], set()
        for kv in fields:
            if kv in seen:
                continue
            seen.add(kv)
            dedup.append(kv)
        result.append(dedup)
    if len(result) != len(messages):
        raise RuntimeError('tshark returned %d packets for %d messages' % (len(result), len(messages)))
    return result


def fields_for(records):
    out = {}
    groups = {}
    for r in records:
        as2 = 'as2' in r.get('options', '').split()
        groups.setdefault(as2, []).append(r)
    for as2, recs in groups.items():
        prefs = ['bgp.asn_len:2'] if as2 else ['bgp.asn_len:4']
        res = run_tshark([r['hex'] for r in recs], prefs)
        for r, f in zip(recs, res):
            out[r['name']] = f
    return out


if __name__ == '__main__':
    import json
    import sys
    recs = [json.loads(line) for line in open(sys.argv[1])]
    got = fields_for(recs)
    for r in recs:
        print(r['name'])
        for k, v in got[r['name']]:
            print('   %s=%s' % (k, v))
