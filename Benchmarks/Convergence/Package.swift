// swift-tools-version:6.2
import PackageDescription

// Convergence benchmark tools (docs/performance.md, "Routing engine and convergence"). A package of its own, like
// Benchmarks/Package.swift, so that neither the main build nor CI compiles it. Run `scripts/bench-convergence`.
//
// - bgp-blaster: a fast BGP sender (pre-encoded, packed UPDATEs written as fast as the socket takes them) and
//   monitor (counts the routes it receives, per route, until it has them all), on BGPWire and POSIX sockets.
// - engine-bench: BGPRouting.RoutingEngine alone, no sockets: routes/s into the Adj-RIB-In and through best path
//   to a route reflector client's Adj-RIB-Out, and memory per route.
//
// bagpipe-bgp, the device under test, is built from this package too (`--product bagpipe-bgp`), in release, so
// that the root package's own .build is never touched.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "BagpipeConvergence",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Bagpipe", path: "../..")
    ],
    targets: [
        .target(
            name: "BlasterKit",
            dependencies: [.product(name: "BGPWire", package: "Bagpipe")],
            path: "Sources/BlasterKit",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "bgp-blaster",
            dependencies: ["BlasterKit", .product(name: "BGPWire", package: "Bagpipe")],
            path: "Sources/bgp-blaster",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "engine-bench",
            dependencies: [
                "BlasterKit",
                .product(name: "BGPWire", package: "Bagpipe"),
                .product(name: "BGPRouting", package: "Bagpipe"),
            ],
            path: "Sources/engine-bench",
            swiftSettings: strict
        ),
    ]
)
