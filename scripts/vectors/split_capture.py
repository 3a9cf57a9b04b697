#!/usr/bin/env python3
"""Cut the BGP sessions of a lab capture into single messages and describe each one.

    split_capture.py LABDIR > lab.jsonl

LABDIR is what lab_capture.sh wrote (lab.pcap, events.tsv, versions.txt, conf/).
Every TCP direction is reassembled from tshark's per-segment payloads, then cut at the
2-octet BGP length. The two OPENs of each connection give the decoding options of the
messages that follow on it (4-octet AS, ADD-PATH receive per family, extended message).
Each message becomes one JSON line {topic, name, source, options, comments, hex}; a message
whose bytes were already seen is dropped (the comment of the first copy says who else sent it).
"""
import json
import os
import subprocess
import sys
from collections import OrderedDict, defaultdict

NODES = {
    '10.0.0.1': ('g1', 'gobgp'), '10.0.0.2': ('g2', 'gobgp'), '10.0.0.21': ('x1', 'exabgp'),
    '10.0.0.22': ('f1', 'frr'), '10.0.0.23': ('b1', 'bird'),
}
CONF = {'g1': 'g1.toml (+ gobgp CLI commands)', 'g2': 'g2.toml', 'x1': 'exabgp42.conf',
        'f1': 'frr-bgpd.conf', 'b1': 'bird.conf'}
FAMILY_TOPIC = {(1, 1): 'ipv4-ipv6-unicast', (2, 1): 'ipv4-ipv6-unicast', (1, 4): 'labeled-unicast',
                (2, 4): 'labeled-unicast', (1, 128): 'vpnv4', (2, 128): 'vpnv6', (25, 70): 'evpn',
                (1, 132): 'rtc', (1, 133): 'flowspec', (2, 133): 'flowspec', (1, 134): 'flowspec',
                (2, 134): 'flowspec'}
ATTR_TOPIC_CODES = {7, 8, 9, 10, 17, 18, 22, 23, 26, 32, 35}


def segments(pcap):
    out = subprocess.run(
        ['tshark', '-r', pcap, '-Y', 'tcp.len > 0', '-T', 'fields', '-E', 'separator=\t',
         '-e', 'frame.time_epoch', '-e', 'ip.src', '-e', 'tcp.srcport', '-e', 'ip.dst', '-e', 'tcp.dstport',
         '-e', 'tcp.seq_raw', '-e', 'tcp.payload', '-e', 'tcp.flags.syn'],
        check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        t, src, sp, dst, dp, seq, payload, _ = (line.split('\t') + [''] * 8)[:8]
        yield float(t), (src, int(sp), dst, int(dp)), int(seq), bytes.fromhex(payload.replace(':', ''))


def messages(pcap):
    """Yield (time, flow, index_in_flow, message_bytes), flows in the order they first sent data."""
    flows = OrderedDict()
    for t, flow, seq, data in segments(pcap):
        flows.setdefault(flow, []).append((seq, t, data))
    result = []
    for flow, segs in flows.items():
        segs.sort(key=lambda s: (s[0], s[1]))
        stream, times, expect = bytearray(), [], None
        for seq, t, data in segs:
            if expect is not None and seq < expect:      # retransmission / overlap
                data = data[expect - seq:]
                seq = expect
            if not data:
                continue
            times.append((len(stream), t))
            stream += data
            expect = seq + len(data)
        pos, idx = 0, 0
        while pos + 19 <= len(stream):
            if stream[pos:pos + 16] != b'\xff' * 16:
                sys.stderr.write('lost sync in %s at %d\n' % (flow, pos))
                break
            ln = int.from_bytes(stream[pos + 16:pos + 18], 'big')
            if ln < 19 or pos + ln > len(stream):
                break
            t = [tt for off, tt in times if off <= pos][-1]
            result.append((t, flow, idx, bytes(stream[pos:pos + ln])))
            pos += ln
            idx += 1
    result.sort(key=lambda r: r[0])
    return result


def open_caps(msg):
    """{code: [values]} of an OPEN's capabilities."""
    caps = defaultdict(list)
    optlen = msg[28]
    p, end = 29, 29 + optlen
    while p < end:
        ptype, plen = msg[p], msg[p + 1]
        if ptype == 2:
            q = p + 2
            while q < p + 2 + plen:
                c, cl = msg[q], msg[q + 1]
                caps[c].append(msg[q + 2:q + 2 + cl])
                q += 2 + cl
        p += 2 + plen
    return caps


def addpath_modes(caps):
    modes = {}
    for v in caps.get(69, []):
        for i in range(0, len(v), 4):
            modes[(int.from_bytes(v[i:i + 2], 'big'), v[i + 2])] = v[i + 3]
    return modes


def update_info(msg):
    """(attribute codes, [(afi, safi, 'reach'|'unreach', nlri_len)], withdrawn_len, nlri_len, as_path segment types)"""
    wl = int.from_bytes(msg[19:21], 'big')
    p = 21 + wl
    al = int.from_bytes(msg[p:p + 2], 'big')
    p += 2
    end = p + al
    codes, fams, segtypes = [], [], set()
    while p < end:
        flags, code = msg[p], msg[p + 1]
        if flags & 0x10:
            ln = int.from_bytes(msg[p + 2:p + 4], 'big')
            v = msg[p + 4:p + 4 + ln]
            p += 4 + ln
        else:
            ln = msg[p + 2]
            v = msg[p + 3:p + 3 + ln]
            p += 3 + ln
        codes.append(code)
        if code == 14:
            afi, safi, nhl = int.from_bytes(v[0:2], 'big'), v[2], v[3]
            fams.append((afi, safi, 'reach', len(v) - 5 - nhl))
        elif code == 15:
            fams.append((int.from_bytes(v[0:2], 'big'), v[2], 'unreach', len(v) - 3))
        elif code in (2, 17) and v:
            segtypes.add(v[0])
    return codes, fams, wl, len(msg) - end, segtypes


def addpath_family(opts, famset, wl, nl):
    """True when this UPDATE carries NLRI of a family with ADD-PATH receive on its session."""
    rx = set()
    for o in opts:
        if o.startswith('addpath-rx='):
            rx = {tuple(int(x) for x in f.split('/')) for f in o.split('=', 1)[1].split(',')}
    fams = set(famset)
    if wl or nl:
        fams.add((1, 1))
    return bool(fams & rx)


def load_events(labdir):
    ev = []
    path = os.path.join(labdir, 'events.tsv')
    for line in open(path):
        t, node, cmd = line.rstrip('\n').split('\t', 2)
        ev.append((float(t), node, cmd))
    return ev


def conf_lines(labdir, node, needles):
    name = CONF[node].split()[0]
    path = os.path.join(labdir, 'conf', name)
    if not os.path.exists(path):
        return []
    hits = []
    for line in open(path):
        if any(n and n in line for n in needles):
            hits.append(line.strip())
    return hits


def main():
    labdir = sys.argv[1]
    versions = dict(line.split(None, 1) for line in open(os.path.join(labdir, 'versions.txt')) if line.strip())
    versions = {k: v.strip() for k, v in versions.items()}
    events = load_events(labdir)
    msgs = messages(os.path.join(labdir, 'lab.pcap'))

    conn_open = {}          # connection key -> {sender ip: caps}
    seen = {}               # hex -> record
    counters = defaultdict(int)
    keepalive_from = set()
    records = []
    for t, flow, idx, m in msgs:
        src, sp, dst, dp = flow
        key = tuple(sorted([(src, sp), (dst, dp)]))
        mtype = m[18]
        if mtype == 1:
            conn_open.setdefault(key, {})[src] = open_caps(m)
        snode, simpl = NODES.get(src, (src, '?'))
        rnode, rimpl = NODES.get(dst, (dst, '?'))
        ver = versions.get(simpl, '?')
        caps = conn_open.get(key, {})
        opts = []
        if mtype == 2:
            sc, rc = caps.get(src), caps.get(dst)
            if sc is not None and rc is not None:
                if not (65 in sc and 65 in rc):
                    opts.append('as2')
                sm, rm = addpath_modes(sc), addpath_modes(rc)
                rx = sorted(f for f in sm if sm[f] in (2, 3) and rm.get(f) in (1, 3))
                if rx:
                    opts.append('addpath-rx=' + ','.join('%d/%d' % f for f in rx))
                if 6 in sc and 6 in rc:
                    opts.append('extended-message')
            else:
                opts.append('UNKNOWN-SESSION')
        hx = m.hex().upper()
        label = '%s %s (%s) -> %s %s (%s)' % (simpl, versions.get(simpl, '?'), snode, rimpl, versions.get(rimpl, '?'), rnode)
        if hx in seen:
            first = seen[hx]
            also = 'also sent byte-for-byte by %s' % label
            if also not in first['comments'] and label not in first['comments'][0] and len(first['comments']) < 14:
                first['comments'].append(also)
            continue
        if mtype == 4:
            if snode in keepalive_from:
                continue
            keepalive_from.add(snode)
        # topic
        if mtype == 1:
            topic = 'open'
        elif mtype == 3:
            topic = 'notification'
        elif mtype in (4, 5):
            topic = 'keepalive-refresh'
        else:
            codes, fams, wl, nl, segtypes = update_info(m)
            famset = {(a, s) for a, s, _, _ in fams}
            if not codes and wl == 0 and nl == 0:
                topic = 'eor'
            elif codes == [15] and fams and fams[0][3] == 0:
                topic = 'eor'
            elif addpath_family(opts, famset, wl, nl):
                topic = 'addpath'
            elif famset and not famset <= {(1, 1), (2, 1)}:
                topic = FAMILY_TOPIC.get(sorted(famset)[0], 'other')
            elif ATTR_TOPIC_CODES & set(codes) or segtypes - {2}:
                topic = 'attributes'
            else:
                topic = 'ipv4-ipv6-unicast'
        counters[(topic, snode, rnode)] += 1
        name = 'cap-%s-to-%s-%s-%d' % (simpl, rimpl, {'ipv4-ipv6-unicast': 'unicast', 'keepalive-refresh': 'msg'}.get(topic, topic), counters[(topic, snode, rnode)])
        comments = ['captured with tcpdump on the lab bridge: %s' % label,
                    'session: %s -> %s, TCP %s:%d -> %s:%d, message #%d on that connection' % (snode, rnode, src, sp, dst, dp, idx + 1)]
        # what caused it: the last logged command within 4 s, else the daemon configuration
        recent = [e for e in events if t - 4.0 <= e[0] <= t + 0.05]
        cause = None
        if mtype in (2, 3, 5):
            own = [e for e in recent if e[1] == snode]
            cause = own[-1] if own else (recent[-1] if recent else None)
        if cause and not (mtype == 2 and snode != 'g1' and cause[1] == snode and 'gobgp global' in cause[2]):
            comments.append('sent %.1f s after, on %s: %s' % (t - cause[0], cause[1], cause[2]))
        elif mtype == 2:
            comments.append('originated from the configuration in scripts/vectors/lab_capture.sh (%s)' % CONF.get(snode, '?'))
        rec = {'topic': topic, 'name': name, 'source': '%s %s capture %s->%s' % (simpl, ver, simpl, rimpl),
               'options': ' '.join(opts), 'comments': comments, 'hex': hx, '_sender': snode, '_time': t}
        seen[hx] = rec
        records.append(rec)
    for r in records:
        print(json.dumps(r))


if __name__ == '__main__':
    main()
