print("bagpipe-bgp: not yet")
