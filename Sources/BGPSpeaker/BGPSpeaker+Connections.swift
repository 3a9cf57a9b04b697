import BGPSession
import BGPWire
import BagpipeConfig
import Logging
import NIOCore
import NIOPosix

/// TCP: the listening socket, outgoing connections, and what the channel handlers report.
extension BGPSpeaker {
    // MARK: - Listening

    /// Opens the listening socket on `listen_address` (default: the local address) and `listen_port`, with the
    /// TCP MD5 key of every peer that has one, and of each listen range when `md5_password` is set.
    func listen() async throws {
        let bgp = configuration.bgp
        let host = bgp.listenAddress ?? .v4(localAddress)
        var listenerKeys: [(address: IPAddress, prefixLength: UInt8?, key: String, name: String)] = []
        for peer in bgp.peers {
            guard let key = peer.md5Password else { continue }
            if peer.address.bitLength == host.bitLength {
                listenerKeys.append((peer.address, nil, key, "\(peer.address)"))
            } else {
                logger.warning(
                    "md5_password of peer \(peer.address) not set on the listening socket (\(host)): other address family"
                )
            }
        }
        if let key = bgp.md5Password {
            for range in bgp.listenRanges where range.networkAddress.bitLength == host.bitLength {
                listenerKeys.append((range.networkAddress, range.length, key, "listen range \(range)"))
            }
        }
        let keys = listenerKeys
        let bootstrap = ServerBootstrap(group: eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                // Before bind, so that no SYN of a peer with a key is ever answered unsigned.
                var future = channel.eventLoop.makeSucceededVoidFuture()
                for k in keys {
                    future = future.flatMap {
                        TCPMD5.set(
                            on: channel, address: k.address, prefixLength: k.prefixLength, key: k.key, peer: k.name)
                    }
                }
                return future
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let remote = channel.remoteAddress
                    switch self.assumeIsolated({ $0.admit(remote) }) {
                    case .accept(let id):
                        try channel.pipeline.syncOperations.addHandler(BGPSessionHandler(speaker: self, connection: id))
                    case .reject(let subcode):
                        try channel.pipeline.syncOperations.addHandler(ConnectionRejector(subcode: subcode))
                    }
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: "\(host)", port: Int(bgp.listenPort)).get()
        } catch let error as BGPSpeakerError {
            throw error
        } catch {
            throw BGPSpeakerError.listenFailed(address: "\(host) port \(bgp.listenPort)", reason: "\(error)")
        }
        guard phase == .running else {
            channel.close(promise: nil)
            return
        }
        listener = channel
        logger.info("listening", metadata: ["address": "\(channel.localAddress?.endpointText ?? "?")"])
    }

    func setListenerKey(_ listener: any Channel, address: IPAddress, key: String) async throws {
        guard listener.localAddress?.bgpAddress?.bitLength == address.bitLength else { return }
        try await TCPMD5.set(on: listener, address: address, key: key, peer: "\(address)").get()
    }

    enum Admission: Sendable {
        case accept(ConnectionID)
        case reject(NotificationMessage.CeaseSubcode)
    }

    /// Decides on an incoming connection: a configured peer, or a new dynamic peer when the address is in a
    /// listen range; anything else is refused.
    func admit(_ remote: SocketAddress?) -> Admission {
        guard phase == .running, let address = remote?.bgpAddress else { return .reject(.connectionRejected) }
        if peerTable[address] == nil {
            let bgp = configuration.bgp
            guard let range = bgp.listenRanges.first(where: { $0.contains(address) }) else {
                logger.notice("connection refused: \(address) is neither a peer nor in listen_ranges")
                return .reject(.connectionRejected)
            }
            guard peerTable.values.count(where: \.isDynamic) < options.maximumDynamicPeers else {
                logger.warning("connection refused: \(address): already \(options.maximumDynamicPeers) dynamic peers")
                return .reject(.outOfResources)
            }
            var settings = bgp.defaultPeer(address)
            settings.peerAS = bgp.listenRangePeerAS
            settings.passive = true
            do {
                let peer = try makePeer(settings, isDynamic: true)
                peerTable[address] = peer
                peer.logger.info("dynamic peer from listen range \(range)")
                drive(peer, peer.primary, .manualStart)
            } catch {
                logger.warning("connection refused: \(error)")
                return .reject(.connectionRejected)
            }
        }
        let id = ConnectionID(value: newIdentifier())
        connections[id] = Connection(peer: address, initiator: .remote)
        return .accept(id)
    }

    // MARK: - Connecting

    /// Opens a connection to the peer, from the local address (bagpipe-bgp's BGP source), with its MD5 key.
    func connect(_ address: IPAddress) {
        guard phase == .running, let peer = peerTable[address], peer.primary.machine.state == .connect,
            peer.outgoing == nil
        else { return }
        let id = ConnectionID(value: newIdentifier())
        connections[id] = Connection(peer: address, initiator: .local)
        peer.outgoing = id
        let settings = peer.settings
        let connectTimeout = TimeAmount.seconds(Int64(max(configuration.bgp.connectRetryTime, 5)))
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                var ready = channel.eventLoop.makeSucceededVoidFuture()
                if let key = settings.md5Password {
                    // RFC 2385: the key must be on the socket before the SYN.
                    ready = TCPMD5.set(on: channel, address: settings.address, key: key, peer: "\(settings.address)")
                }
                return ready.flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(BGPSessionHandler(speaker: self, connection: id))
                }
            }
        if case .v4 = address, let source = try? SocketAddress(ipAddress: "\(localAddress)", port: 0) {
            bootstrap = bootstrap.bind(to: source)
        }
        let target: SocketAddress
        do {
            target = try SocketAddress(ipAddress: "\(address)", port: Int(settings.port))
        } catch {
            connectFailed(id, error)
            return
        }
        peer.logger.debug("connecting to \(target.endpointText)")
        bootstrap.connect(to: target).whenFailure { error in
            self.eventLoop.execute { self.assumeIsolated { $0.connectFailed(id, error) } }
        }
    }

    func connectFailed(_ id: ConnectionID, _ error: any Error) {
        guard let connection = connections.removeValue(forKey: id), let peer = peerTable[connection.peer] else {
            return
        }
        guard peer.outgoing == id else { return }
        peer.outgoing = nil
        peer.logger.debug("connection failed: \(error)")
        if case BGPSpeakerError.tcpMD5Unsupported = error { peer.logger.error("\(error)") }
        if peer.primary.machine.state == .connect { drive(peer, peer.primary, .tcpConnectionFails) }
        settle(peer)
    }

    // MARK: - What the handlers report

    /// The connection is up: give it to a state machine.
    func connectionActive(_ id: ConnectionID, channel: any Channel) {
        guard var connection = connections[id] else {
            channel.close(promise: nil)
            return
        }
        connection.channel = channel
        connections[id] = connection
        guard phase == .running, !connection.isClosing, let peer = peerTable[connection.peer] else {
            close(id)
            return
        }
        switch connection.initiator {
        case .local:
            guard peer.outgoing == id, peer.primary.machine.state == .connect else {
                // Abandoned: the connect-retry timer fired, or the peer's own connection was taken meanwhile.
                close(id)
                return
            }
            peer.outgoing = nil
            peer.primary.connection = id
            drive(peer, peer.primary, .tcpConnectionAcknowledged)
        case .remote:
            accept(id, for: peer)
        }
        settle(peer)
    }

    /// RFC 4271 §8.2.2: an incoming connection goes to the machine while it waits for one (Connect, Active); while
    /// it has a connection past that, the new one gets a machine of its own until collision detection picks one
    /// (§6.8). Idle refuses it.
    func accept(_ id: ConnectionID, for peer: Peer) {
        let primary = peer.primary
        if primary.machine.state == .idle, !peer.isStoppedByHand {
            // RFC 4271 §8.1.1 damping holds back our own connection attempts after a failure. Refusing the peer's
            // connection too would lock two speakers that both connect and listen into refusing each other in
            // turn, each in its idle-hold time when the other's attempt arrives: start now instead.
            drive(peer, primary, .manualStart)
        }
        switch primary.machine.state {
        case .idle, .connect, .active:
            if let attempt = peer.outgoing {
                // Ours would only collide with the one the peer just opened.
                peer.outgoing = nil
                close(attempt)
            }
            primary.connection = id
            drive(peer, primary, .tcpConnectionConfirmed)
        case .openSent, .openConfirm, .established:
            guard peer.secondary == nil else {
                peer.logger.notice("connection refused: already two connections with this peer")
                close(id, rejecting: true)
                return
            }
            let slot = makeSlot(peer.configuration)
            peer.secondary = slot
            drive(peer, slot, .manualStart)
            slot.connection = id
            drive(peer, slot, .tcpConnectionConfirmed)
        }
    }

    /// How to frame and decode the connection's next message; nil once the connection is no longer wanted.
    func decodingParameters(_ id: ConnectionID) -> (DecodingOptions, Int)? {
        guard let slot = slot(of: id) else { return nil }
        return (slot.machine.decodingOptions, slot.machine.maximumMessageLength)
    }

    func received(_ event: SessionEvent, on id: ConnectionID) {
        guard let (peer, slot) = owner(of: id) else { return }
        drive(peer, slot, event)
        settle(peer)
    }

    func connectionClosed(_ id: ConnectionID) {
        guard let connection = connections.removeValue(forKey: id), let peer = peerTable[connection.peer] else {
            return
        }
        if peer.outgoing == id {
            peer.outgoing = nil
            if peer.primary.machine.state == .connect { drive(peer, peer.primary, .tcpConnectionFails) }
        }
        for slot in peer.slots where slot.connection == id {
            slot.connection = nil
            if slot.isUp { peer.logger.notice("connection lost") }
            drive(peer, slot, .tcpConnectionFails)
        }
        settle(peer)
    }

    func slot(of id: ConnectionID) -> SessionSlot? { owner(of: id)?.1 }

    func owner(of id: ConnectionID) -> (Peer, SessionSlot)? {
        guard let connection = connections[id], !connection.isClosing, let peer = peerTable[connection.peer],
            let slot = peer.slots.first(where: { $0.connection == id })
        else { return nil }
        return (peer, slot)
    }

    // MARK: - Writing and closing

    func write(_ message: BGPMessage, on id: ConnectionID?, options: EncodingOptions) {
        guard let id, var connection = connections[id], !connection.isClosing, let channel = connection.channel else {
            return
        }
        var buffer = channel.allocator.buffer(capacity: 64)
        buffer.writeBytes(message.encode(options: options))
        let written = channel.writeAndFlush(buffer)
        connection.lastWrite = written
        connections[id] = connection
        let type = message.type
        written.whenSuccess {
            self.eventLoop.execute { self.assumeIsolated { $0.writeCompleted(id, type) } }
        }
    }

    /// Queues a batch's shared bytes on the connection; ``flushShared(on:)`` sends them.
    func writeShared(_ batch: UpdateBatch, on id: ConnectionID, fourOctetAS: Bool) {
        guard var connection = connections[id], !connection.isClosing, let channel = connection.channel else {
            return
        }
        let written = channel.write(batch.bytes(fourOctetAS: fourOctetAS, allocator: channel.allocator))
        connection.lastWrite = written
        connections[id] = connection
    }

    /// Flushes what ``writeShared(_:on:fourOctetAS:)`` queued; its completion is the sending progress of
    /// RFC 9687.
    func flushShared(on id: ConnectionID?) {
        guard let id, let connection = connections[id], !connection.isClosing, let channel = connection.channel,
            let written = connection.lastWrite
        else { return }
        channel.flush()
        written.whenSuccess {
            self.eventLoop.execute { self.assumeIsolated { $0.writeCompleted(id, .update) } }
        }
    }

    /// RFC 9687: the message went to TCP, so our sending makes progress.
    func writeCompleted(_ id: ConnectionID, _ type: BGPMessage.MessageType) {
        guard let (peer, slot) = owner(of: id) else { return }
        drive(peer, slot, .messageSent(type))
        settle(peer)
    }

    /// Closes a connection once what was written on it is out (the NOTIFICATION before the FIN, RFC 4271 §6), or
    /// after ``Options/closeTimeout`` if the peer does not read.
    func close(_ id: ConnectionID, rejecting: Bool = false) {
        guard var connection = connections[id], !connection.isClosing else { return }
        if rejecting { write(.notification(.cease(.connectionRejected)), on: id, options: .default) }
        connection = connections[id]!
        connection.isClosing = true
        connections[id] = connection
        guard let channel = connection.channel else {
            // Still connecting: closed when it comes up, or forgotten when it fails.
            return
        }
        let flushed = connection.lastWrite ?? channel.eventLoop.makeSucceededVoidFuture()
        flushed.whenComplete { _ in channel.close(promise: nil) }
        let (seconds, attoseconds) = options.closeTimeout.components
        let timeout = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
