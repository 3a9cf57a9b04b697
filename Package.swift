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
        .library(name: "BagpipeVPN", targets: ["BagpipeVPN"]),
        .library(name: "BagpipeAPI", targets: ["BagpipeAPI"]),
        .library(name: "BagpipeREST", targets: ["BagpipeREST"]),
        .library(name: "LinuxNetlink", targets: ["LinuxNetlink"]),
        .library(name: "BagpipeServer", targets: ["BagpipeServer"]),
        .executable(name: "bagpipe-rest-attach", targets: ["bagpipe-rest-attach"]),
        .executable(name: "bagpipe-looking-glass", targets: ["bagpipe-looking-glass"]),
        .executable(name: "bagpipe-impex2dot", targets: ["bagpipe-impex2dot"]),
        .executable(name: "bagpipe-server", targets: ["bagpipe-server"]),
        .executable(name: "bagpipe-agent", targets: ["bagpipe-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // One trait only: SwiftPM 6.3.1 passes several traits' -D flags in random order and rebuilds.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.8.0"),
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
                "BGPSpeaker", "BagpipeConfig", "BGPWireJSON", "BagpipeDaemon", "BagpipeVPN", "BagpipeAPI",
                "BagpipeREST", "BagpipeLinuxDataplane", "LinuxNetlink",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSockets
        ),
        // The seeded generator (SplitMix64) of the tests' random cases, so that a failing seed replays.
        .target(name: "SeededRandom", path: "Tests/SeededRandom", swiftSettings: strict),
        // The one JSON value type, parser and writer (RFC 8259) every module shares. No I/O, no Foundation.
        .target(name: "BagpipeJSON", swiftSettings: strict),
        .testTarget(
            name: "BagpipeJSONTests",
            dependencies: [
                "BagpipeJSON", "SeededRandom", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        // JSON view of every message (RFC field names), both directions; used by bagpipe-wire.
        .target(name: "BGPWireJSON", dependencies: ["BGPWire", "BagpipeJSON"], swiftSettings: strict),
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
                "BGPWire", "BGPWireJSON", "SeededRandom",
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
        .testTarget(
            name: "BGPRoutingTests", dependencies: ["BGPRouting", "BGPWire", "SeededRandom"], swiftSettings: strict),
        .testTarget(name: "BGPSessionTests", dependencies: ["BGPSession", "BGPWire"], swiftSettings: strict),
        .testTarget(
            name: "BagpipeConfigTests", dependencies: ["BagpipeConfig", "BGPWire", "SeededRandom"],
            swiftSettings: strict),
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
        // VPN instances (VRF, EVI) as value types over the routing engine, and the dataplane driver protocol.
        .target(name: "BagpipeVPN", dependencies: ["BGPWire", "BGPRouting"], swiftSettings: strict),
        .testTarget(
            name: "BagpipeVPNTests", dependencies: ["BagpipeVPN", "BGPRouting", "BGPWire", "BagpipeTestSupport"],
            swiftSettings: strict),
        // What several test targets share: the in-memory network of VPN managers and routing engines.
        .target(
            name: "BagpipeTestSupport", dependencies: ["BagpipeVPN", "BGPRouting", "BGPWire"],
            path: "Tests/BagpipeTestSupport", swiftSettings: strict),
        // bagpipe-bgp put together: the VPN service (manager + speaker + drivers), the REST service behind the API.
        .target(
            name: "BagpipeDaemon",
            dependencies: [
                "BGPSpeaker", "BagpipeVPN", "BGPRouting", "BGPWire", "BagpipeConfig", "BagpipeAPI", "BagpipeREST",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSockets
        ),
        .testTarget(
            name: "BagpipeDaemonTests",
            dependencies: [
                "BagpipeDaemon", "BGPSpeaker", "BGPSession", "BagpipeVPN", "BGPRouting", "BGPWire", "BagpipeConfig",
                "BagpipeAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // bagpipe-bgp's REST API model: attach/detach bodies with the original's schema and validation, the
        // looking-glass tree. Pure.
        .target(name: "BagpipeAPI", dependencies: ["BGPWire", "BagpipeJSON"], swiftSettings: strict),
        // The HTTP shell of the REST API (Hummingbird) on 127.0.0.1:8082.
        .target(
            name: "BagpipeREST",
            dependencies: [
                "BagpipeAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Shared by the CLIs below: a small HTTP client for the REST API.
        .executableTarget(
            name: "bagpipe-rest-attach",
            dependencies: [
                "BagpipeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "bagpipe-looking-glass",
            dependencies: [
                "BagpipeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "bagpipe-impex2dot",
            dependencies: [
                "BagpipeAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BagpipeAPITests",
            dependencies: [
                "BagpipeAPI", "BagpipeREST", "bagpipe-rest-attach", "bagpipe-looking-glass", "bagpipe-impex2dot",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
        // The Linux dataplane drivers: E-VPN over VXLAN + bridge, IP VPN with policy routing + VXLAN, IP VPN MPLS.
        .target(
            name: "BagpipeLinuxDataplane",
            dependencies: [
                "BagpipeVPN", "BGPWire", "LinuxNetlink", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSockets
        ),
        .testTarget(
            name: "BagpipeLinuxDataplaneTests",
            dependencies: [
                "BagpipeLinuxDataplane", "BagpipeVPN", "BGPRouting", "BGPWire", "LinuxNetlink", "CBagpipeLinux",
                "BagpipeTestSupport",
            ],
            swiftSettings: strictSockets
        ),
        // rtnetlink: message codec (pure) and a batched socket shell, for the Linux dataplane drivers.
        .target(name: "LinuxNetlink", dependencies: ["CBagpipeLinux"], swiftSettings: strictSockets),
        .testTarget(
            name: "LinuxNetlinkTests", dependencies: ["LinuxNetlink", "CBagpipeLinux"], swiftSettings: strictSockets),
        // The compute-node agent: the server's desired state for this host → attachments on the local bagpipe-bgp.
        .target(
            name: "BagpipeAgent",
            dependencies: [
                "BagpipeJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "bagpipe-agent",
            dependencies: [
                "BagpipeAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BagpipeAgentTests",
            dependencies: [
                "BagpipeAgent", "BagpipeServer", "BagpipeDaemon", "BagpipeVPN", "BGPSpeaker", "BGPWire",
                "BagpipeConfig", "BagpipeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        // The control plane: Neutron-compatible API, BGPVPN, route-target allocation, SQLite/PostgreSQL.
        .target(
            name: "BagpipeServer",
            dependencies: [
                "BagpipeJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "bagpipe-server",
            dependencies: [
                "BagpipeServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BagpipeServerTests",
            dependencies: [
                "BagpipeServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict
        ),
    ]
)
