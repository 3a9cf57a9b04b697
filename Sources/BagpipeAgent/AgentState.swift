/// The agent's pure core: the attachments the server wants on this host, the ones bagpipe-bgp has accepted, and
/// the ordered calls that take the second to the first. No I/O: the shell performs the actions and reports back.
public struct AgentState: Sendable, Equatable {
    /// Keyed by endpoint; route targets already consolidated per VPN instance.
    public private(set) var desired: [AttachmentKey: LocalAttachment] = [:]
    /// What bagpipe-bgp accepted (as far as the agent knows: emptied when it restarts).
    public private(set) var applied: [AttachmentKey: LocalAttachment] = [:]
    /// Ports of the last snapshot that could not be turned into attachments, with why.
    public private(set) var rejectedPorts: [String] = []

    public init() {}

    /// One call to bagpipe-bgp.
    public enum Action: Hashable, Sendable, CustomStringConvertible {
        case attach(LocalAttachment)
        case detach(LocalAttachment)

        public var attachment: LocalAttachment {
            switch self {
            case .attach(let a), .detach(let a): a
            }
        }
        /// `attach_localport` or `detach_localport`.
        public var path: String {
            if case .attach = self { "attach_localport" } else { "detach_localport" }
        }
        public var body: JSON {
            switch self {
            case .attach(let a): a.attachBody
            case .detach(let a): a.detachBody
            }
        }
        public var description: String {
            if case .attach(let a) = self {
                "attach \(a.vpnType.rawValue) \(a.key)"
            } else {
                "detach \(attachment.vpnType.rawValue) \(attachment.key)"
            }
        }
    }

    /// Replaces the desired state with a host snapshot's ports. A port that cannot be read is left out (and
    /// reported in `rejectedPorts`); the others are still served.
    public mutating func setHostPorts(_ ports: [JSON]) {
        var all: [LocalAttachment] = []
        var rejected: [String] = []
        for json in ports {
            do {
                all += try HostPort(json).attachments()
            } catch {
                rejected.append("\(json["id"]?.stringValue ?? "?"): \(error)")
            }
        }
        rejectedPorts = rejected
        desired = Self.consolidated(all)
    }

    /// bagpipe-bgp keeps one pair of route-target lists per VPN instance, and each attach sets them: every
    /// attachment of an instance must carry the union of what all services want for it, or they would overwrite
    /// each other (bagpipe-bgp.md §8.2 merges per port; merging per host also keeps ports of one network from
    /// flapping the instance's targets when only one of them has a port association).
    static func consolidated(_ attachments: [LocalAttachment]) -> [AttachmentKey: LocalAttachment] {
        var byKey: [AttachmentKey: LocalAttachment] = [:]
        var rts: [String: (imports: [String], exports: [String])] = [:]
        for a in attachments {
            if byKey[a.key] != nil { byKey[a.key]!.merge(a) } else { byKey[a.key] = a }
            var r = rts[a.key.vpnInstanceID] ?? ([], [])
            r.imports = union([r.imports, a.importRT])
            r.exports = union([r.exports, a.exportRT])
            rts[a.key.vpnInstanceID] = r
        }
        for key in Array(byKey.keys) {
            let r = rts[key.vpnInstanceID]!
            byKey[key]!.setRouteTargets(import: r.imports, export: r.exports)
        }
        return byKey
    }

    /// The calls to make, in order: detach what is no longer wanted (IP VPN before E-VPN), then attach what is
    /// missing or changed (E-VPN before IP VPN), bagpipe-bgp.md §8.2. A change that a re-attach cannot apply
    /// is a detach then an attach.
    public func actions() -> [Action] {
        var detaches: [LocalAttachment] = []
        var attaches: [LocalAttachment] = []
        for (key, old) in applied {
            guard let new = desired[key] else {
                detaches.append(old)
                continue
            }
            if new != old && !new.isUpdate(of: old) { detaches.append(old) }
        }
        for (key, new) in desired where applied[key] != new {
            attaches.append(new)
        }
        detaches.sort { ($1.vpnType, $0.key) < ($0.vpnType, $1.key) }
        attaches.sort { ($0.vpnType, $0.key) < ($1.vpnType, $1.key) }
        return detaches.map(Action.detach) + attaches.map(Action.attach)
    }

    /// bagpipe-bgp accepted `action`.
    public mutating func completed(_ action: Action) {
        switch action {
        case .attach(let a): applied[a.key] = a
        case .detach(let a): if applied[a.key] == a { applied[a.key] = nil }
        }
    }

    /// bagpipe-bgp restarted (its `/ping` value changed): it has nothing, so everything desired is to be replayed.
    public mutating func bagpipeRestarted() { applied = [:] }

    /// True when nothing is left to do.
    public var isConverged: Bool { actions().isEmpty }
}
