public import BGPWire

/// Read-only views for the looking glass and for tests.
extension RoutingEngine {
    /// The Loc-RIB entry of `key` (its path identifier is ignored): the best path, the reason, and the paths equal
    /// to it through the IGP cost step.
    public func bestPath(for key: RouteKey) -> BestPath? {
        var r = KeyReader(key: key)
        ribs.read(key.family, &r, core)
        return r.best
    }

    /// Every path of `key` (its path identifier is ignored), from all sources.
    public func paths(for key: RouteKey) -> [Route] {
        var r = KeyReader(key: key)
        ribs.read(key.family, &r, core)
        return r.paths
    }

    /// The best path of every key of the family, in table order.
    public func bestPaths(family: AddressFamily) -> [BestPath] {
        var r = TableReader(mode: .best)
        ribs.read(family, &r, core)
        return r.best
    }

    /// The routes the peer sent us for the family (its Adj-RIB-In, stale routes included).
    public func adjRIBIn(peer: PeerID, family: AddressFamily) -> [Route] {
        guard let slot = core.peerSlots[peer] else { return [] }
        var r = TableReader(mode: .adjIn(slot))
        ribs.read(family, &r, core)
        return r.routes
    }

    /// The routes last sent to the peer for the family, with the attributes they were sent with.
    public func adjRIBOut(peer: PeerID, family: AddressFamily) -> [Route] {
        guard let slot = core.peerSlots[peer] else { return [] }
        var r = TableReader(mode: .adjOut(slot))
        ribs.read(family, &r, core)
        return r.routes
    }

    /// Keys in the family's table.
    public func routeCount(family: AddressFamily) -> Int {
        var r = CountReader()
        ribs.read(family, &r, core)
        return r.keys
    }

    /// Paths in the family's table (all sources).
    public func pathCount(family: AddressFamily) -> Int {
        var r = CountReader()
        ribs.read(family, &r, core)
        return r.paths
    }

    /// Interned attribute sets alive.
    public var attributeSetCount: Int { core.attributes.count }

    /// RT membership routes this engine originates.
    public var originatedRTC: [RTCNLRI] {
        var r = TableReader(mode: .originated)
        ribs.read(.routeTargetConstraint, &r, core)
        return r.routes.compactMap {
            if case .rtc(let n) = $0.nlri { return n }
            return nil
        }
    }

    /// The state of a peer: nil if unknown.
    public func peerInfo(_ id: PeerID) -> PeerInfo? { core.peerSlots[id].flatMap { core.peers[$0]?.info } }

    /// Octets the tables hold, counted from their capacities: keys, hash index, per-key state, paths, Adj-RIBs-Out
    /// and deliveries, plus the attribute table. Not counted: the engine's small per-peer and per-subscriber state.
    public var memoryUsage: MemoryUsage {
        var r = MemoryReader()
        ribs.readAll(&r, core)
        return MemoryUsage(tableBytes: r.bytes, attributeBytes: core.attributes.approximateBytes, paths: r.paths)
    }
}

/// How much memory the routing tables use.
public struct MemoryUsage: Hashable, Sendable, CustomStringConvertible {
    public var tableBytes: Int
    public var attributeBytes: Int
    public var paths: Int

    public var totalBytes: Int { tableBytes + attributeBytes }
    public var bytesPerPath: Double { paths == 0 ? 0 : Double(totalBytes) / Double(paths) }

    public var description: String {
        "\(totalBytes) octets for \(paths) paths (\(paths == 0 ? 0 : totalBytes / paths) per path)"
    }
}

private struct KeyReader: RIBReader {
    var key: RouteKey
    var best: BestPath?
    var paths: [Route] = []

    mutating func read<K: FamilyKey>(_ rib: FamilyRIB<K>, _ core: EngineCore) {
        guard let k = K(identity: key.identity), let net = rib.index.find(k) else { return }
        let indexes = rib.pathIndexes(net)
        paths = indexes.map { core.route(rib, net, $0) }
        let b = rib.nets[Int(net)].best
        guard b >= 0, let bi = indexes.firstIndex(of: b) else { return }
        let multipath = BestPathSelection.select(indexes.map { core.candidate(rib.paths[$0]) })?.multipath.map {
            paths[$0]
        }
        best = BestPath(route: paths[bi], reason: rib.nets[Int(net)].reason, multipath: multipath)
    }
}

private struct TableReader: RIBReader {
    enum Mode {
        case best
        case adjIn(Int)
        case adjOut(Int)
        case originated
    }
    var mode: Mode
    var best: [BestPath] = []
    var routes: [Route] = []

    mutating func read<K: FamilyKey>(_ rib: FamilyRIB<K>, _ core: EngineCore) {
        for i in rib.nets.indices where rib.nets[i].head >= 0 {
            let net = Int32(i)
            switch mode {
            case .best:
                let b = rib.nets[i].best
                if b >= 0 { best.append(BestPath(route: core.route(rib, net, b), reason: rib.nets[i].reason)) }
            case .adjIn(let slot):
                for p in rib.pathIndexes(net) where rib.paths[p].source == .peer(slot) {
                    routes.append(core.route(rib, net, p))
                }
            case .originated:
                for p in rib.pathIndexes(net) where rib.paths[p].source == .originated {
                    routes.append(core.route(rib, net, p))
                }
            case .adjOut(let slot):
                // The group's entry, except for routes that came from the peer itself (``AdjRIBOut``).
                let g = rib.group(of: slot)
                guard g >= 0 else { return }
                let value = rib.groups[g].value(net)
                let b = rib.nets[i].best
                if value != 0, b >= 0, rib.paths[b].source.peerSlot != slot {
                    routes.append(core.route(rib, net, b, attributes: value - 1))
                }
            }
        }
    }
}

private struct CountReader: RIBReader {
    var keys = 0
    var paths = 0
    mutating func read<K: FamilyKey>(_ rib: FamilyRIB<K>, _ core: EngineCore) {
        keys += rib.index.count
        paths += rib.paths.count
    }
}

private struct MemoryReader: RIBReader {
    var bytes = 0
    var paths = 0
    mutating func read<K: FamilyKey>(_ rib: FamilyRIB<K>, _ core: EngineCore) {
        bytes += rib.approximateBytes
        paths += rib.paths.count
    }
}
