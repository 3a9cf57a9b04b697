// bagpipe-bgp configuration (bgp.conf) lives here.
