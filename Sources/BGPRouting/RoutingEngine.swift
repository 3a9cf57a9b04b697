// The routing engine core lives here.
