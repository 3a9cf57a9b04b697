import BGPRouting
import BGPSession
import BGPWire
import BagpipeConfig
import Logging
import NIOCore

/// Driving the session state machines: performing their actions in order, their timers, and connection
/// collisions. What concerns routes goes to the routing engine once the session's actions are performed.
extension BGPSpeaker {
    /// Work that must wait until the actions of the current event are all performed.
    enum FollowUp {
        /// The session is Established: the engine sends the initial table, then End-of-RIB (RFC 4724 §2).
        case sessionUp
        /// An event for the routing engine.
        case routing(EngineEvent)
        /// RFC 2918 §4: the family again from the Adj-RIB-Out; RFC 7313 §4: then EoRR.
        case refresh(AddressFamily)
    }

    /// What performing one event's actions leaves to do.
    struct Aftermath {
        var followUps: [FollowUp] = []
        /// The Established session ended with these actions.
        var sessionEnded = false
        /// Families kept stale across the end of the session (RFC 4724 §4.2).
        var retained: Set<AddressFamily> = []
    }

    // MARK: - Peers

    func makePeer(_ settings: PeerSettings, isDynamic: Bool) throws(BGPSpeakerError) -> Peer {
        let bgp = configuration.bgp
        guard let holdTime = HoldTime(settings.holdTime) else {
            throw .invalidPeer(settings.address, "hold time \(settings.holdTime) is neither 0 nor 3...65535")
        }
        let session: SessionConfiguration
        do {
            session = try SessionConfiguration(
                localAS: bgp.myAS, peerAS: settings.peerAS, localIdentifier: routerID, peerAddress: settings.address,
                holdTime: holdTime, connectRetryTime: Double(bgp.connectRetryTime),
                passive: settings.passive || isDynamic, families: settings.families,
                enhancedRouteRefresh: bgp.enhancedRouteRefresh, extendedMessage: bgp.extendedMessage,
                gracefulRestart: bgp.gracefulRestartTime > 0
                    ? GracefulRestartConfiguration(
                        restartTime: bgp.gracefulRestartTime, staleRoutesTime: options.staleRoutesTime)
                    : nil,
                idleHold: options.idleHold, sendHoldTime: options.sendHoldTime)
        } catch {
            switch error {
            case .invalidAS(let asn):
                throw .invalidPeer(settings.address, "AS \(asn) cannot be used (0 and AS_TRANS 23456 are reserved)")
            case .invalidIdentifier:
                throw .invalidRouterID("0.0.0.0")
            }
        }
        var logger = self.logger
        logger[metadataKey: "peer"] = "\(settings.address)"
        return Peer(
            settings: settings, configuration: session, isDynamic: isDynamic, logger: logger,
            primary: makeSlot(session))
    }

    func makeSlot(_ configuration: SessionConfiguration) -> SessionSlot {
        let jitter: TimerJitter = options.timerJitter ? .seeded(UInt64.random(in: 0...UInt64.max)) : .none
        return SessionSlot(
            id: newIdentifier(), machine: SessionStateMachine(configuration: configuration, jitter: jitter))
    }

    /// RFC 4271 ManualStop on every machine of the peer: a Cease on each connection that is up.
    func stop(_ peer: Peer, subcode: NotificationMessage.CeaseSubcode, communication: String) {
        for slot in peer.slots { drive(peer, slot, .manualStop(subcode: subcode, communication: communication)) }
        if let attempt = peer.outgoing {
            peer.outgoing = nil
            close(attempt)
        }
    }

    // MARK: - Events in, actions out

    /// Feeds `event` to the slot's machine and performs what it asks, in order; then tells the routing engine
    /// what happened to routes, the end of the session last (after the sweep of routes left stale by an earlier
    /// restart, RFC 4724 §4.2).
    func drive(_ peer: Peer, _ slot: SessionSlot, _ event: SessionEvent) {
        let actions = slot.machine.handle(event)
        var after = Aftermath()
        for action in actions { perform(action, peer, slot, &after) }
        for followUp in after.followUps {
            switch followUp {
            case .sessionUp:
                routingSessionUp(peer, slot)
            case .routing(let event):
                process(event)
            case .refresh(let family):
                let id = Self.peerID(peer.address)
                let effects = process(.routeRefreshRequested(id, family))
                // The session sent BoRR on reading the request; EoRR must follow even when the engine has
                // nothing to re-send yet (a family still waiting for RT membership).
                let end = EngineEffect.sendRouteRefresh(id, RouteRefreshMessage(family: family, subtype: .endOfRIB))
                if !effects.contains(end) { enqueue([.endOfRouteRefresh(family)], for: id) }
            }
        }
        if after.sessionEnded { routingSessionDown(peer, retaining: after.retained) }
    }

    func perform(_ action: SessionAction, _ peer: Peer, _ slot: SessionSlot, _ after: inout Aftermath) {
        let id = Self.peerID(peer.address)
        switch action {
        case .send(let message):
            write(message, on: slot.connection, options: slot.machine.encodingOptions)
        case .openConnection:
            // A second machine exists only for a connection the peer opened; it never connects out.
            guard slot === peer.primary else { return }
            let address = peer.address
            // Connecting can complete inside the call (loopback), which would run the new connection's events in
            // the middle of these actions: start it as a task of its own.
            eventLoop.execute { self.assumeIsolated { $0.connect(address) } }
        case .closeConnection(let reason):
            if slot.isUp { after.sessionEnded = true }
            closeConnection(of: peer, slot, reason: reason)
        case .arm(let timer, let seconds):
            arm(timer, seconds: seconds, peer, slot)
        case .cancel(let timer):
            slot.timers.removeValue(forKey: timer)?.task.cancel()
        case .stateChanged(let from, let to):
            var logger = peer.logger
            logger[metadataKey: "state"] = "\(to)"
            logger.debug("state \(from) → \(to)")
            if to == .established { peer.establishedAt = .now }
            if from == .established {
                peer.establishedAt = nil
                peer.endOfRIBReceived = []
            }
            // A second machine's way up is an internal matter until it carries the session.
            if slot === peer.primary || to == .established {
                emit(.stateChanged(peer: peer.address, from: from, to: to))
            }
        case .established(let negotiated):
            slot.isUp = true
            peer.logger.info(
                "session established",
                metadata: [
                    "state": "Established", "peer-as": "\(negotiated.peerAS)",
                    "peer-id": "\(negotiated.peerIdentifier)", "hold-time": "\(negotiated.holdTime.seconds)",
                    "afi-safi": "\(negotiated.families.map(\.description).joined(separator: ","))",
                ])
            emit(.established(peer: peer.address, negotiated))
            after.followUps.append(.sessionUp)
        case .deliver(let update):
            peer.staleRoutes.received(update)
            after.followUps.append(.routing(.routesReceived(id, routingView(update))))
            emit(.routesReceived(peer: peer.address, update))
        case .endOfRIBReceived(let family):
            peer.endOfRIBReceived.insert(family)
            peer.logger.debug("End-of-RIB received", metadata: ["afi-safi": "\(family)"])
            // The engine sweeps what is still stale in the family (RFC 4724 §4.2) and, for RT membership, sends
            // the VPN routes it held back (RFC 4684 §6).
            peer.staleRoutes.sweep([family])
            if family == .routeTargetConstraint {
                peer.membershipWait?.cancel()
                peer.membershipWait = nil
            }
            after.followUps.append(.routing(.routesReceived(id, .endOfRIB(family))))
            emit(.endOfRIB(peer: peer.address, family))
        case .withdrawAllRoutes(let families):
            if slot.machine.state == .established {
                // RFC 7606 AFI/SAFI disable: the family's routes go, the session stays.
                peer.staleRoutes.sweep(families)
                after.followUps.append(.routing(.markStale(id, families: Set(families))))
                after.followUps.append(.routing(.sweepStale(id, families: Set(families))))
            }
            // Otherwise the session ended: the engine drops the peer's routes with it.
            emit(.routesDropped(peer: peer.address, families))
        case .markRoutesStale(let families):
            if slot.machine.state == .established {
                // RFC 7313 §4: Beginning of RIB refresh.
                peer.staleRoutes.mark(families)
                after.followUps.append(.routing(.markStale(id, families: Set(families))))
            } else {
                // RFC 4724 §4.2: the session ended and the peer may be restarting.
                after.retained.formUnion(families)
            }
            peer.logger.info(
                "routes kept as stale", metadata: ["afi-safi": "\(families.map(\.description).joined(separator: ","))"])
        case .sweepStaleRoutes(let families):
            peer.staleRoutes.sweep(families)
            after.followUps.append(.routing(.sweepStale(id, families: Set(families))))
            peer.logger.debug(
                "stale routes swept", metadata: ["afi-safi": "\(families.map(\.description).joined(separator: ","))"])
        case .routeRefreshRequested(let family):
            after.followUps.append(.refresh(family))
        case .logError(let report):
            peer.logger.warning("\(report)")
            emit(.error(report))
        }
    }

    func closeConnection(of peer: Peer, _ slot: SessionSlot, reason: SessionDownReason) {
        let hadConnection = slot.connection != nil
        if let id = slot.connection {
            slot.connection = nil
            // RFC 4486 §4: a connection the session refuses gets Cease / Connection Rejected.
            close(id, rejecting: reason == .refused)
        }
        // The session may be up with its connection already gone: a peer that closed TCP without a
        // NOTIFICATION (connectionClosed clears the connection before the machine sees the failure).
        if hadConnection || slot.isUp { peer.lastDownReason = reason }
        if slot.isUp {
            slot.isUp = false
            peer.logger.notice("session down: \(reason)")
            emit(.sessionDown(peer: peer.address, reason))
        } else if hadConnection {
            peer.logger.debug("connection closed: \(reason)")
        }
        if slot === peer.primary, let attempt = peer.outgoing {
            // Connect state: the attempt in progress is abandoned.
            peer.outgoing = nil
            close(attempt)
        }
    }

    // MARK: - Timers

    func arm(_ timer: SessionTimer, seconds: Double, _ peer: Peer, _ slot: SessionSlot) {
        slot.timers[timer]?.task.cancel()
        timerGeneration += 1
        let generation = timerGeneration
        let (address, slotID) = (peer.address, slot.id)
        let delay = TimeAmount.nanoseconds(Int64((max(seconds, 0) * 1e9).rounded()))
        let task = eventLoop.scheduleTask(in: delay) {
            self.assumeIsolated { $0.timerExpired(timer, generation: generation, peer: address, slot: slotID) }
        }
        slot.timers[timer] = ScheduledTimer(generation: generation, task: task)
    }

    func timerExpired(_ timer: SessionTimer, generation: UInt64, peer address: IPAddress, slot slotID: Int) {
        guard let peer = peerTable[address], let slot = peer.slot(id: slotID),
            slot.timers[timer]?.generation == generation
        else { return }
        slot.timers[timer] = nil
        if timer == .hold { peer.logger.notice("hold timer expired") }
        drive(peer, slot, .expiry(of: timer))
        settle(peer)
    }

    // MARK: - Collisions and clean-up

    /// Brings the peer back to one machine when it has two (RFC 4271 §6.8), and forgets a dynamic peer that has
    /// nothing left. Called after every event.
    func settle(_ peer: Peer) {
        while let secondary = peer.secondary {
            let (first, second) = (peer.primary.machine.state, secondary.machine.state)
            if !second.hasConnection {
                secondary.cancelTimers()
                peer.secondary = nil
            } else if !first.hasConnection {
                // The first connection is gone: the second carries on as the session.
                adopt(secondary, in: peer)
            } else if first.hasPeerOpen, second.hasPeerOpen {
                resolveCollision(peer, secondary)
            } else {
                break
            }
        }
        removeIfIdle(peer)
    }

    /// Both connections have the peer's OPEN: close one, keeping the one opened by the speaker with the higher
    /// BGP Identifier, or the Established one (RFC 4271 §6.8, RFC 6286 §2.3).
    func resolveCollision(_ peer: Peer, _ secondary: SessionSlot) {
        let primary = peer.primary
        let first = initiator(of: primary)
        let second = initiator(of: secondary)
        let loser: SessionSlot
        if first == second || first == nil || second == nil {
            // Both opened by the peer (it reconnected, e.g. after restarting): the newer connection is the live one.
            loser = primary
        } else {
            let negotiated = (secondary.machine.negotiated ?? primary.machine.negotiated)!
            let established: CollisionResolution.Initiator? =
                primary.machine.state == .established
                ? first : (secondary.machine.state == .established ? second : nil)
            let resolution = CollisionResolution.resolve(
                localIdentifier: routerID, remoteIdentifier: negotiated.peerIdentifier,
                localAS: configuration.bgp.myAS, remoteAS: negotiated.peerAS, establishedConnection: established)
            loser = resolution.drops(connectionOpenedBy: first!) ? primary : secondary
        }
        peer.logger.info(
            "connection collision: closing the connection opened by \(initiator(of: loser) == .local ? "us" : "the peer")"
        )
        drive(peer, loser, .openCollisionDump)
    }

    /// Makes the second machine the peer's machine, the first having lost its connection or the collision.
    func adopt(_ secondary: SessionSlot, in peer: Peer) {
        let old = peer.primary
        old.cancelTimers()
        if let attempt = peer.outgoing {
            peer.outgoing = nil
            close(attempt)
        }
        if let id = old.connection {
            old.connection = nil
            close(id)
        }
        let stale = old.machine.gracefulRestart.staleFamilies
        if !stale.isEmpty {
            // The graceful restart state belongs to the machine that is dropped; without it nobody would ever
            // sweep these routes, so they go now (the peer re-sends what it still has).
            peer.staleRoutes.sweep(stale)
            process(.sweepStale(Self.peerID(peer.address), families: Set(stale)))
        }
        peer.primary = secondary
        peer.secondary = nil
    }

    func initiator(of slot: SessionSlot) -> CollisionResolution.Initiator? {
        slot.connection.flatMap { connections[$0]?.initiator }
    }

    /// A dynamic peer lives as long as a connection or stale routes do (like FRR's dynamic neighbors).
    func removeIfIdle(_ peer: Peer) {
        guard peer.isDynamic, peerTable[peer.address] === peer, peer.secondary == nil, peer.primary.connection == nil,
            !peer.primary.machine.state.hasConnection, peer.primary.machine.gracefulRestart.staleFamilies.isEmpty,
            !connections.values.contains(where: { $0.peer == peer.address })
        else { return }
        peer.primary.cancelTimers()
        peerTable[peer.address] = nil
        peer.logger.info("dynamic peer removed")
    }
}

extension SessionState {
    /// OpenConfirm or Established: the peer's OPEN (and BGP Identifier) is known.
    var hasPeerOpen: Bool { self == .openConfirm || self == .established }
}
