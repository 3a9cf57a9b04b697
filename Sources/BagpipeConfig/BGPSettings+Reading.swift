import BGPWire

extension BGPSettings {
    /// Reads `[BGP]` and the `[BGP_PEER <address>]` sections. `nil` when `local_address` or `my_as` is missing or
    /// refused; every problem found is in `diagnostics`.
    static func read(_ file: INIFile, _ diagnostics: inout Diagnostics) -> BGPSettings? {
        var r = SectionReader(file, "BGP")
        let localAddress = r.read("local_address", &diagnostics, LocalAddress.parse)
        let myAS = r.read("my_as", &diagnostics, OptionValue.asNumber)
        for key in ["local_address", "my_as"] where r.section?[key] == nil {
            diagnostics.error(.missing(section: r.name, key: key))
        }
        let enableRTC = r.read("enable_rtc", &diagnostics, OptionValue.boolean)
        let rtcKnown: Bool? = r.failed.contains("enable_rtc") ? nil : (enableRTC ?? true)

        var s = BGPSettings(
            localAddress: localAddress ?? .interface("lo"), myAS: myAS ?? 1, enableRTC: rtcKnown ?? true)
        s.bgpPort = r.read("bgp_port", &diagnostics, OptionValue.port) ?? s.bgpPort
        s.peerAS = r.read("peer_as", &diagnostics, OptionValue.asNumber) ?? s.peerAS
        s.listenRangePeerAS = s.peerAS
        s.passive = r.read("passive", &diagnostics, OptionValue.boolean) ?? s.passive
        s.listen = r.read("listen", &diagnostics, OptionValue.boolean) ?? s.listen
        s.listenAddress = r.readOptional("listen_address", &diagnostics, OptionValue.ipAddress)
        s.listenPort = r.read("listen_port", &diagnostics, OptionValue.port) ?? s.listenPort
        s.listenRanges = readListenRanges(&r, &diagnostics)
        s.listenRangePeerAS = r.read("listen_range_peer_as", &diagnostics, OptionValue.asNumber) ?? s.listenRangePeerAS
        if let entry = r.entry("md5_password"), !entry.value.isEmpty {
            s.md5Password = r.read("md5_password", &diagnostics, secret: true, OptionValue.md5Password)
        }
        s.holdTime = r.read("hold_time", &diagnostics, OptionValue.holdTime) ?? s.holdTime
        s.connectRetryTime =
            r.read("connect_retry_time", &diagnostics) { OptionValue.integer($0, in: UInt16(1)...UInt16.max) }
            ?? s.connectRetryTime
        s.families = readFamilies(&r, &diagnostics, enableRTC: rtcKnown) ?? s.families
        s.routeReflector = r.read("route_reflector", &diagnostics, OptionValue.boolean) ?? s.routeReflector
        s.clusterID = r.readOptional("cluster_id", &diagnostics, OptionValue.clusterID)
        s.gracefulRestartTime =
            r.read("graceful_restart_time", &diagnostics) { OptionValue.integer($0, in: UInt16(0)...4095) }
            ?? s.gracefulRestartTime
        s.routerID = r.readOptional("router_id", &diagnostics, OptionValue.routerID)
        s.enhancedRouteRefresh =
            r.read("enhanced_route_refresh", &diagnostics, OptionValue.boolean) ?? s.enhancedRouteRefresh
        s.extendedMessage = r.read("extended_message", &diagnostics, OptionValue.boolean) ?? s.extendedMessage
        s.checkConsistency(r, &diagnostics)

        let listed = readPeers(&r, &diagnostics)
        let listenKnown: Bool? = r.failed.contains("listen") ? nil : s.listen
        let sections = readPeerSections(file, settings: s, enableRTC: rtcKnown, listen: listenKnown, &diagnostics)
        s.peers = listed.map { address in sections.first { $0.address == address } ?? s.defaultPeer(address) }
        s.peers += sections.filter { !listed.contains($0.address) }

        r.warnUnknownKeys(&diagnostics, known: keys)
        guard localAddress != nil, myAS != nil else { return nil }
        return s
    }

    /// Settings that contradict each other (errors) or have no effect (warnings).
    private func checkConsistency(_ r: SectionReader, _ diagnostics: inout Diagnostics) {
        let listenKnown = !r.failed.contains("listen")
        if listenKnown, !listen {
            if passive, let entry = r.section?["passive"] {
                diagnostics.error(
                    r.conflict(entry, "passive peers need listen = true (nothing would open their sessions)"))
            }
            if !listenRanges.isEmpty, let entry = r.section?["listen_ranges"] {
                diagnostics.error(r.conflict(entry, "listen_ranges needs listen = true"))
            }
            for key in ["listen_address", "listen_port"] {
                if let entry = r.section?[key] {
                    diagnostics.warn(section: r.name, key: key, line: entry.line, "has no effect without listen = true")
                }
            }
        }
        if listenRanges.isEmpty, !r.failed.contains("listen_ranges"), let entry = r.section?["listen_range_peer_as"] {
            diagnostics.warn(
                section: r.name, key: entry.key, line: entry.line, "has no effect without listen_ranges")
        }
        if !routeReflector, !r.failed.contains("route_reflector"), let entry = r.section?["cluster_id"] {
            diagnostics.warn(
                section: r.name, key: entry.key, line: entry.line, "has no effect without route_reflector = true")
        }
    }

    /// `listen_ranges`: prefixes; host bits are cleared with a warning.
    private static func readListenRanges(_ r: inout SectionReader, _ diagnostics: inout Diagnostics) -> [IPPrefix] {
        let name = r.name
        var ranges: [IPPrefix] = []
        let parsed =
            r.readList("listen_ranges", &diagnostics) { text -> Result<(IPPrefix, Bool), ValueProblem> in
                let parts = text.split(separator: "/", omittingEmptySubsequences: false)
                guard let prefix = IPPrefix(text), let address = IPAddress(parts[0]) else {
                    return .failure(ValueProblem("\"\(text)\" is not an IPv4 or IPv6 prefix (address/length)"))
                }
                let exact: Bool =
                    switch (prefix, address) {
                    case (.v4(let p), .v4(let a)): p.address == a
                    case (.v6(let p), .v6(let a)): p.address == a
                    default: false
                    }
                return .success((prefix, exact))
            } ?? []
        let line = r.section?["listen_ranges"]?.line
        for (prefix, exact) in parsed {
            if !exact {
                diagnostics.warn(
                    section: name, key: "listen_ranges", line: line, "host bits set in a prefix; using \(prefix)")
            }
            if ranges.contains(prefix) {
                diagnostics.warn(section: name, key: "listen_ranges", line: line, "\(prefix) listed twice")
            } else {
                ranges.append(prefix)
            }
        }
        return ranges
    }

    /// `peers`: addresses, each once.
    private static func readPeers(_ r: inout SectionReader, _ diagnostics: inout Diagnostics) -> [IPAddress] {
        var peers: [IPAddress] = []
        for address in r.readList("peers", &diagnostics, OptionValue.ipAddress) ?? [] {
            if peers.contains(address) {
                diagnostics.warn(
                    section: r.name, key: "peers", line: r.section?["peers"]?.line, "\(address) listed twice")
            } else {
                peers.append(address)
            }
        }
        return peers
    }

    /// The `[BGP_PEER <address>]` sections, in file order, over the `[BGP]` settings `s`.
    private static func readPeerSections(
        _ file: INIFile, settings s: BGPSettings, enableRTC: Bool?, listen: Bool?, _ diagnostics: inout Diagnostics
    ) -> [PeerSettings] {
        var peers: [PeerSettings] = []
        var lines: [IPAddress: (name: String, line: Int)] = [:]
        for section in file.sections where PeerSettings.isPeerSection(section.name) {
            var reader = SectionReader(section)
            switch PeerSettings.address(inSection: section.name) {
            case .failure(let problem):
                diagnostics.error(
                    ConfigurationError(.invalidValue, section: section.name, line: section.line, problem: problem.text))
                // Still check its options, so that all errors are reported at once.
                let placeholder = s.defaultPeer(.v4(.zero))
                _ = PeerSettings.read(&reader, over: placeholder, enableRTC: enableRTC, listen: listen, &diagnostics)
            case .success(let address):
                if let first = lines[address] {
                    diagnostics.error(
                        ConfigurationError(
                            .conflict, section: section.name, line: section.line,
                            problem: "\(address) already has a section: [\(first.name)] (line \(first.line))"))
                }
                lines[address] = lines[address] ?? (section.name, section.line)
                let peer = PeerSettings.read(
                    &reader, over: s.defaultPeer(address), enableRTC: enableRTC, listen: listen, &diagnostics)
                if !peers.contains(where: { $0.address == address }) { peers.append(peer) }
            }
        }
        return peers
    }
}
