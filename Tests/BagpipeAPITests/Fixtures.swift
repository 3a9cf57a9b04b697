import BGPWire
import Synchronization

@testable import BagpipeAPI

/// A LocalPortService that records what it is asked and can be told to refuse or fail.
final class RecordingService: LocalPortService {
    enum Call: Hashable, Sendable {
        case attach(AttachRequest)
        case detach(DetachRequest)
    }

    struct Boom: Error {}

    private let state = Mutex<(calls: [Call], failure: (any Error & Sendable)?)>(([], nil))

    var calls: [Call] { state.withLock { $0.calls } }

    func fail(with error: (any Error & Sendable)?) { state.withLock { $0.failure = error } }

    func attach(_ request: AttachRequest) async throws {
        try state.withLock {
            if let f = $0.failure { throw f }
            $0.calls.append(.attach(request))
        }
    }

    func detach(_ request: DetachRequest) async throws {
        try state.withLock {
            if let f = $0.failure { throw f }
            $0.calls.append(.detach(request))
        }
    }
}

/// A small tree with every entry kind, shaped like bagpipe-bgp's `vpns` subtree.
struct FakeInstance: LookingGlassNode {
    var id: String
    var name: String

    func localInfo(prefix: String) async throws -> JSONObject {
        ["external_instance_id": .string(id), "self": .string(prefix)]
    }

    func entries() async throws -> [LookingGlassEntry] {
        [
            .value("instance_type", name.hasPrefix("VRF") ? "ipvpn" : "evpn"),
            .subitem("route_targets") { ["import": ["64512:1"], "export": ["64512:2"]] },
            .subitem("readvertise") { name.hasPrefix("VRF") ? ["from": ["64512:3"], "to": ["64512:4"]] : [:] },
            .subitem("attract_traffic") { [:] },
            .subtree("ports") { _ in ["tap1": ["endpoints": []], "to_x_1": ["endpoints": []]] },
            .subtree("gateway_port") { _ in name.hasPrefix("EVI") ? ["ipvpn": ["external_instance_id": "vrf 1"]] : [:]
            },
            .subtree("logs") { _ in [] },
        ]
    }
}

struct FakeVPNs: LookingGlassNode {
    static let instances = [FakeInstance(id: "vrf 1", name: "VRF-1"), FakeInstance(id: "evi/2", name: "EVI-2")]

    func entries() async throws -> [LookingGlassEntry] {
        [
            .collection(
                "instances", list: { Self.instances.map { ["id": .string($0.id), "name": .string($0.name)] } },
                item: { id in Self.instances.first { $0.id == id } }),
            .forward("fwd", FakeForwarded()),
            .subtree("broken") { _ in throw RecordingService.Boom() },
            .subtree("abs") { prefix in .string(LookingGlass.absolute(.vpnInstances, ["x"], from: prefix)) },
        ]
    }
}

struct FakeForwarded: LookingGlassNode {
    func entries() async throws -> [LookingGlassEntry] {
        [.subtree("fwd") { prefix in ["forwarded_prefix": .string(prefix)] }]
    }
}

struct FakeBGP: LookingGlassNode {
    func localInfo(prefix: String) async throws -> JSONObject { ["peers_count": 0] }
}

func fakeRoot(ring: LookingGlassLogRing = LookingGlassLogRing()) -> LookingGlassRoot {
    LookingGlassRoot(
        startTime: "2026-11-21 12:00:00", version: "test", logs: ring, bgp: FakeBGP(), vpns: FakeVPNs(),
        counts: { LookingGlassCounts(establishedPeers: 1, localRoutes: 2, receivedRoutes: 3, vpnInstances: 2) },
        config: { ["API": ["host": "127.0.0.1", "port": 8082]] })
}
