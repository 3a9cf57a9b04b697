// Command gobgp-codec-bench times GoBGP's packet library (github.com/osrg/gobgp/v3/pkg/packet/bgp) on the
// same UPDATE bytes as the Swift BGPCodec benchmarks, on one core: the same-machine anchor for
// docs/performance.md. The inputs come from the dump-workloads tool (Benchmarks/Tools/DumpWorkloads), which
// writes <id>.bin files and an index.tsv; scripts/bench builds and runs both.
//
// Per workload it reports, as tab-separated lines:
//   - parse: bgp.ParseBGPMessage, bytes to typed values (GoBGP's equivalent of BGPMessage.decode);
//   - parse+validate: the same followed by bgp.ValidateUpdateMsg, which GoBGP's FSM runs on every UPDATE
//     (BGPWire's decode does its RFC 7606 checks inside decode, so this is the closer comparison);
//   - serialize: (*BGPMessage).Serialize of the parsed message back to bytes.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/osrg/gobgp/v3/pkg/packet/bgp"
)

type workload struct {
	id    string
	nlri  int
	data  []byte
	isExt bool
}

func load(dir string) ([]workload, error) {
	f, err := os.Open(filepath.Join(dir, "index.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []workload
	s := bufio.NewScanner(f)
	s.Scan() // header
	for s.Scan() {
		fields := strings.Split(s.Text(), "\t")
		if len(fields) != 4 {
			continue
		}
		n, err := strconv.Atoi(fields[1])
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(filepath.Join(dir, fields[0]+".bin"))
		if err != nil {
			return nil, err
		}
		out = append(out, workload{id: fields[0], nlri: n, data: data, isExt: fields[3] == "1"})
	}
	return out, s.Err()
}

// routes counts the NLRI GoBGP decoded, to check it read what BGPWire read.
func routes(m *bgp.BGPMessage) int {
	u, ok := m.Body.(*bgp.BGPUpdate)
	if !ok {
		return -1
	}
	n := len(u.NLRI) + len(u.WithdrawnRoutes)
	for _, a := range u.PathAttributes {
		switch a := a.(type) {
		case *bgp.PathAttributeMpReachNLRI:
			n += len(a.Value)
		case *bgp.PathAttributeMpUnreachNLRI:
			n += len(a.Value)
		}
	}
	return n
}

var families = map[bgp.RouteFamily]bgp.BGPAddPathMode{
	bgp.RF_IPv4_VPN:   bgp.BGP_ADD_PATH_NONE,
	bgp.RF_EVPN:       bgp.BGP_ADD_PATH_NONE,
	bgp.RF_FS_IPv4_UC: bgp.BGP_ADD_PATH_NONE,
	bgp.RF_IPv4_UC:    bgp.BGP_ADD_PATH_NONE,
}

var sink int

func report(w workload, op string, r testing.BenchmarkResult) {
	ns := float64(r.T.Nanoseconds()) / float64(r.N)
	fmt.Printf("%s\t%s\t%d\t%d\t%.1f\t%d\t%d\n", w.id, op, w.nlri, len(w.data), ns, r.AllocsPerOp(), r.N)
}

func main() {
	dir := flag.String("dir", "", "directory written by dump-workloads")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	ws, err := load(*dir)
	if err != nil || len(ws) == 0 {
		fmt.Fprintln(os.Stderr, "cannot load workloads:", err)
		os.Exit(1)
	}
	fmt.Println("id\top\tnlri\tbytes\tns_per_msg\tallocs_per_msg\titerations")
	for _, w := range ws {
		m, err := bgp.ParseBGPMessage(w.data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: GoBGP cannot parse: %v\n", w.id, err)
			continue
		}
		if got := routes(m); got != w.nlri {
			fmt.Fprintf(os.Stderr, "%s: GoBGP decoded %d NLRI, expected %d\n", w.id, got, w.nlri)
			os.Exit(1)
		}
		if ok, err := bgp.ValidateUpdateMsg(m.Body.(*bgp.BGPUpdate), families, false, false); !ok || err != nil {
			fmt.Fprintf(os.Stderr, "%s: GoBGP validation: %v\n", w.id, err)
		}
		if out, err := m.Serialize(); err != nil || !bytes.Equal(out, w.data) {
			fmt.Fprintf(os.Stderr, "%s: GoBGP re-serialization differs (%v)\n", w.id, err)
		}
		data := w.data
		report(w, "parse", testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m, err := bgp.ParseBGPMessage(data)
				if err != nil {
					b.Fatal(err)
				}
				sink += len(m.Body.(*bgp.BGPUpdate).PathAttributes)
			}
		}))
		report(w, "parse+validate", testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				m, err := bgp.ParseBGPMessage(data)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := bgp.ValidateUpdateMsg(m.Body.(*bgp.BGPUpdate), families, false, false); err != nil {
					b.Fatal(err)
				}
			}
		}))
		report(w, "serialize", testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				out, err := m.Serialize()
				if err != nil {
					b.Fatal(err)
				}
				sink += len(out)
			}
		}))
	}
}
