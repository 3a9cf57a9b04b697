module bagpipe/benchmarks/gobgp

go 1.19

// GoBGP's source as Debian ships it (apt-get install golang-github-osrg-gobgp-dev): built offline, no module
// proxy. Only pkg/packet/bgp is compiled, which needs the standard library alone.
require github.com/osrg/gobgp/v3 v3.10.0

replace github.com/osrg/gobgp/v3 => /usr/share/gocode/src/github.com/osrg/gobgp
