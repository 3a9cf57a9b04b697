// swift-tools-version:6.2
import PackageDescription

/// Settings every target of ours gets: Swift 6 language mode (strict concurrency) is the default
/// for tools 6.x; warnings are errors so the tree stays warning-free.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// For targets that use socket structs: in release builds clang attributes `sockaddr_in` and friends to NIO's
/// internal CNIOLinux module, which MemberImportVisibility then asks us to import. Everything else stays strict.
let strictSockets: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "Bagpipe",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "BGPWire", targets: ["BGPWire"]),
        .library(name: "BGPWireNIO", targets: ["BGPWireNIO"]),
        .library(name: "BGPWireJSON", targets: ["BGPWireJSON"]),
        .library(name: "BGPSession", targets: ["BGPSession"]),
        .library(name: "BagpipeConfig", targets: ["BagpipeConfig"]),
        .library(name: "BGPSpeaker", targets: ["BGPSpeaker"]),
        .library(name: "BGPRouting", targets: ["BGPRouting"]),
        .executable(name: "bagpipe-bgp", targets: ["bagpipe-bgp"]),
        .executable(name: "bagpipe-wire", targets: ["bagpipe-wire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        // Pure codec: bytes <-> typed BGP messages. No I/O, no Foundation.
        .target(name: "BGPWire", swiftSettings: strict),
        // SwiftNIO framing (ByteToMessageDecoder / MessageToByteEncoder) over BGPWire.
        .target(
            name: "BGPWireNIO",
            dependencies: ["BGPWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // The BGP session as a value type: RFC 4271 §8 FSM, timers as actions, capability negotiation. No I/O.
        .target(name: "BGPSession", dependencies: ["BGPWire"], swiftSettings: strict),
        // bagpipe-bgp's bgp.conf (INI), compatible with the original, with our additions. No I/O.
        .target(name: "BagpipeConfig", dependencies: ["BGPWire"], swiftSettings: strict),
        // The routing engine as value types: RT dispatch, best path, RT Constraint, route reflection. No I/O.
        .target(name: "BGPRouting", dependencies: ["BGPWire"], swiftSettings: strict),
        // Linux headers not exported by Glibc's module in every build mode (tcp_md5sig, later rtnetlink).
        .target(name: "CBagpipeLinux"),
        // The speaker runtime: SwiftNIO sessions driving BGPSession machines, listener, peers, Adj-RIB-In.
        .target(
            name: "BGPSpeaker",
            dependencies: [
                "BGPWire", "BGPWireNIO", "BGPSession", "BagpipeConfig", "BGPRouting", "CBagpipeLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSockets
        ),
        .executableTarget(
            name: "bagpipe-bgp",
            dependencies: [
                "BGPSpeaker", "BagpipeConfig", "BGPWireJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSockets
        ),
        // JSON view of every message (RFC field names), both directions; used by bagpipe-wire.
        .target(name: "BGPWireJSON", dependencies: ["BGPWire"], swiftSettings: strict),
        .executableTarget(
            name: "bagpipe-wire",
            dependencies: [
                "BGPWire", "BGPWireJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BGPWireTests",
            dependencies: [
                "BGPWire", "BGPWireJSON",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Vectors"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BGPSpeakerTests",
            dependencies: [
                "BGPSpeaker", "BGPWire", "BGPSession", "BagpipeConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Real FRR, GoBGP, BIRD and ExaBGP in network namespaces made by the tests (root; scripts/test installs them).
        .testTarget(
            name: "InteropTests",
            dependencies: [
                "BGPSpeaker", "BGPWire", "BGPSession", "BagpipeConfig",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "BGPRoutingTests", dependencies: ["BGPRouting", "BGPWire"], swiftSettings: strict),
        .testTarget(name: "BGPSessionTests", dependencies: ["BGPSession", "BGPWire"], swiftSettings: strict),
        .testTarget(name: "BagpipeConfigTests", dependencies: ["BagpipeConfig", "BGPWire"], swiftSettings: strict),
        .testTarget(
            name: "BagpipeWireToolTests",
            dependencies: ["bagpipe-wire", "BGPWire", "BGPWireJSON"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BGPWireNIOTests",
            dependencies: [
                "BGPWire", "BGPWireNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
