// swift-tools-version:6.2
import PackageDescription

// Release-mode benchmarks of the BGPWire codec (docs/performance.md). A package of its own, so the main
// build and CI neither compile it nor resolve its dependencies. Run `scripts/bench` from the repository root.
//
// Layout: ordo-one/benchmark runs every executable target whose folder sits in a folder named `Benchmarks`,
// which this package's root is: BGPCodec/ is the benchmark suite. Workloads/ builds the input messages;
// Tools/DumpWorkloads writes them to files for the GoBGP comparison in gobgp/.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "BagpipeBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Bagpipe", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .target(
            name: "BGPCodecWorkloads",
            dependencies: [.product(name: "BGPWire", package: "Bagpipe")],
            path: "Workloads",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "BGPCodec",
            dependencies: [
                "BGPCodecWorkloads",
                .product(name: "BGPWire", package: "Bagpipe"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "BGPCodec",
            swiftSettings: strict,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "dump-workloads",
            dependencies: ["BGPCodecWorkloads", .product(name: "BGPWire", package: "Bagpipe")],
            path: "Tools/DumpWorkloads",
            swiftSettings: strict
        ),
    ]
)
