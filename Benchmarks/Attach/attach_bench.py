#!/usr/bin/env python3
"""attach_localport / detach_localport latency against a running bagpipe-bgp, with a GoBGP route reflector as the
observer (python-bagpipe-measured.md §3 (a) and (b), the same method): N ports one at a time, each POST on a new HTTP
connection, into one VPN instance; `gobgp monitor global rib -j` timestamps each route's arrival and withdrawal on the
reflector. Prints one JSON object.

Run inside the namespace of the daemons (scripts/bench-attach does it)."""
import argparse
import http.client
import json
import statistics
import subprocess
import threading
import time


def percentile(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)


def post(host, port, path, body):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    data = json.dumps(body)
    start = time.monotonic()
    conn.request("POST", path, data, {"Content-Type": "application/json", "Accept": "application/json"})
    resp = conn.getresponse()
    payload = resp.read()
    end = time.monotonic()
    conn.close()
    if resp.status != 200:
        raise SystemExit(f"{path}: {resp.status} {payload[:200]!r}")
    return start, end


class Watcher(threading.Thread):
    """Reads `gobgp monitor global rib -j` and records when each route key appears and is withdrawn."""

    def __init__(self, family, gobgp_port):
        super().__init__(daemon=True)
        self.family = family
        self.proc = subprocess.Popen(
            ["gobgp", "-p", str(gobgp_port), "monitor", "global", "rib", "-a", family, "-j"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
        self.added = {}
        self.withdrawn = {}
        self.lock = threading.Lock()

    def run(self):
        for line in self.proc.stdout:
            now = time.monotonic()
            try:
                events = json.loads(line)
            except ValueError:
                continue
            if isinstance(events, dict):
                events = [events]
            for e in events:
                nlri = e.get("nlri", {})
                value = nlri.get("value")
                if isinstance(value, dict) and nlri.get("type") == 2:
                    key = value.get("mac")
                elif "prefix" in nlri and "/" in nlri["prefix"]:
                    # VPN-IPv4: "<rd>:<prefix>"
                    key = nlri["prefix"].rsplit(":", 1)[-1]
                else:
                    continue
                key = key.lower()
                with self.lock:
                    if e.get("withdrawal"):
                        self.withdrawn.setdefault(key, now)
                    else:
                        self.added.setdefault(key, now)

    def wait(self, attr, keys, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                seen = getattr(self, attr)
                if all(k in seen for k in keys):
                    return True
            time.sleep(0.005)
        return False

    def stop(self):
        self.proc.kill()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / 100.0


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--vpn-type", choices=["evpn", "ipvpn"], default="evpn")
    ap.add_argument("--api", default="127.0.0.1:8082")
    ap.add_argument("--gobgp-port", type=int, default=50051)
    ap.add_argument("--pid", type=int, required=True, help="bagpipe-bgp's pid, for CPU and RSS")
    args = ap.parse_args()
    host, port = args.api.split(":")
    port = int(port)
    family = "evpn" if args.vpn_type == "evpn" else "vpnv4"
    watcher = Watcher(family, args.gobgp_port)
    watcher.start()
    time.sleep(0.5)

    bodies = []
    keys = []
    for i in range(args.count):
        mac = "02:00:%02x:%02x:%02x:%02x" % ((i >> 24) & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255)
        ip = "10.%d.%d.%d" % (100 + (i >> 16), (i >> 8) & 255, i & 255)
        body = {
            "vpn_instance_id": "bench", "vpn_type": args.vpn_type, "mac_address": mac, "ip_address": ip,
            "gateway_ip": "10.100.0.1", "local_port": {"linuxif": "tap%d" % i},
            "import_rt": ["64512:77"], "export_rt": ["64512:77"],
        }
        bodies.append(body)
        keys.append(mac if args.vpn_type == "evpn" else ip + "/32")

    result = {"count": args.count, "vpn_type": args.vpn_type}
    for phase, path in (("attach", "/attach_localport"), ("detach", "/detach_localport")):
        cpu0 = cpu_seconds(args.pid)
        starts, latencies = [], []
        t0 = time.monotonic()
        for body in bodies:
            b = body if phase == "attach" else {k: body[k] for k in
                                                 ("vpn_instance_id", "vpn_type", "mac_address", "ip_address", "local_port")}
            s, e = post(host, port, path, b)
            starts.append(s)
            latencies.append((e - s) * 1000)
        posted = time.monotonic() - t0
        attr = "added" if phase == "attach" else "withdrawn"
        complete = watcher.wait(attr, keys, 60)
        seen = getattr(watcher, attr)
        per_route = [(seen[k] - s) * 1000 for k, s in zip(keys, starts) if k in seen]
        last = max(seen[k] for k in keys if k in seen) if seen else t0
        result[phase] = {
            "post_ms": {"p50": percentile(latencies, 50), "p90": percentile(latencies, 90),
                        "p99": percentile(latencies, 99), "max": max(latencies)},
            "total_s": posted,
            "per_second": args.count / posted,
            "all_on_reflector_s": (last - t0) if complete else None,
            "post_to_reflector_ms": {"p50": percentile(per_route, 50), "p90": percentile(per_route, 90),
                                     "p99": percentile(per_route, 99)},
            "routes_seen": len([k for k in keys if k in seen]),
            "daemon_cpu_s": cpu_seconds(args.pid) - cpu0,
            "daemon_rss_mb": rss_mb(args.pid),
        }
    watcher.stop()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
