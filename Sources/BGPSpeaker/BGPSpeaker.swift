// The SwiftNIO BGP speaker runtime lives here.
