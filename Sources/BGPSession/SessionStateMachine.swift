// The BGP session state machine (RFC 4271 §8) lives here.
