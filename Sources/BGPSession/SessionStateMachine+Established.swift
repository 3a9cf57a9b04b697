import BGPWire

/// Established (RFC 4271 §8.2.2): messages from the peer, and what the speaker asks of the session.
extension SessionStateMachine {
    mutating func established(_ event: SessionEvent, _ session: EstablishedSession) {
        switch event {
        case .received(let decoded, let bytes):
            // Any message shows the peer is alive. RFC 4271 names KEEPALIVE and UPDATE (bagpipe-bgp only counted
            // KEEPALIVEs, and lost sessions busy with UPDATEs); ROUTE-REFRESH, which came later, proves as much.
            switch decoded.message {
            case .keepalive:
                restartHoldTimer(session)
            case .update:
                restartHoldTimer(session)
                receiveUpdate(decoded, bytes: bytes, session)
            case .routeRefresh(let refresh):
                restartHoldTimer(session)
                receiveRouteRefresh(refresh, bytes: bytes, session)
            case .notification(let n):
                notificationReceived(n)
            case .open:
                unexpected(.open, bytes: bytes, subcode: .unexpectedMessageInEstablished)
            }
        case .keepaliveTimerExpired:
            sendKeepalive()
        case .tcpConnectionFails:
            // The one way down that lets a peer restart gracefully (RFC 4724 §4.2).
            fallToIdle(reason: .connectionFailed, connectionLost: true)
        default:
            connectedEvent(event, unexpectedSubcode: .unexpectedMessageInEstablished)
        }
    }

    mutating func restartHoldTimer(_ session: EstablishedSession) {
        let hold = session.negotiated.holdTime
        if !hold.isDisabled { arm(.hold, seconds: Double(hold.seconds)) }
    }

    // MARK: - UPDATE

    /// An UPDATE from the peer: RFC 7606 errors reported and acted on without closing the session, End-of-RIB
    /// recognised, AS path made 4-octet (RFC 6793), routes of other families dropped, the rest delivered.
    mutating func receiveUpdate(_ decoded: DecodedMessage, bytes: [UInt8], _ session: EstablishedSession) {
        guard case .update(let update) = decoded.message else { return }
        if let reset = decoded.errors.first(where: { if case .sessionReset = $0.action { true } else { false } }) {
            // The codec throws these; should one come in the list, it still resets the session.
            decodeFailed(reset, bytes: bytes)
            return
        }
        var session = session
        for error in decoded.errors {
            let handling: SessionErrorReport.Handling =
                switch error.action {
                case .afiSafiDisable(let family): .afiSafiDisable(family)
                case .treatAsWithdraw: .treatAsWithdraw
                default: .attributeDiscard
                }
            report(handling, error.reason, attributeType: error.attributeType, messageType: .update, bytes: bytes)
            if case .afiSafiDisable(let family) = error.action, session.isActive(family) {
                // RFC 7606 §2 / RFC 4760 §7: the family is dropped from the session; what was learned in it
                // cannot be trusted any more.
                session.disabledFamilies.insert(family)
                phase = .established(session)
                emit(.withdrawAllRoutes([family]))
            }
        }

        // RFC 4724 §2. Only a clean marker: an UPDATE turned into withdrawals can look like an empty one.
        if decoded.errors.isEmpty, let family = update.endOfRIB {
            if session.isActive(family) {
                emit(.endOfRIBReceived(family))
                emit(gracefulRestart.endOfRIB(family))
            }
            return
        }

        guard case .update(let effective) = decoded.effectiveMessage else { return }
        let fourOctet = effective.mappingAttributes(
            session.negotiated.fourOctetAS ? ASPathTranslation.fromFourOctetPeer : ASPathTranslation.fromTwoOctetPeer)
        let routes = keepingSessionFamilies(fourOctet, session, bytes: bytes)
        // An UPDATE that announces and withdraws nothing (attributes only) has nothing for the RIB.
        if routes.carriesRoutes { emit(.deliver(routes)) }
    }

    /// `update` without the routes of families the session does not carry (never negotiated, or disabled),
    /// each removal reported.
    mutating func keepingSessionFamilies(
        _ update: UpdateMessage, _ session: EstablishedSession, bytes: [UInt8]
    ) -> UpdateMessage {
        var update = update
        if !session.isActive(.ipv4Unicast), !update.nlri.isEmpty || !update.withdrawnRoutes.isEmpty {
            report(
                .ignored, "IPv4 unicast routes, a family this session does not carry", messageType: .update,
                bytes: bytes)
            update.nlri = []
            update.withdrawnRoutes = []
        }
        var kept: [PathAttribute] = []
        for attribute in update.pathAttributes {
            let family: AddressFamily? =
                switch attribute.value {
                case .mpReachNLRI(let m): m.family
                case .mpUnreachNLRI(let m): m.family
                default: nil
                }
            if let family, !session.isActive(family) {
                report(
                    .ignored,
                    "\(PathAttribute.TypeCode.name(attribute.typeCode)) for \(family), a family this session does not carry",
                    attributeType: attribute.typeCode, messageType: .update, bytes: bytes)
            } else {
                kept.append(attribute)
            }
        }
        update.pathAttributes = kept
        return update
    }

    // MARK: - ROUTE-REFRESH

    /// RFC 2918 requests, and RFC 7313 Beginning/End of RIB markers around the peer's own re-advertisement.
    mutating func receiveRouteRefresh(
        _ refresh: RouteRefreshMessage, bytes: [UInt8], _ session: EstablishedSession
    ) {
        let family = refresh.family
        guard configuration.routeRefresh || configuration.enhancedRouteRefresh else {
            report(
                .ignored, "ROUTE-REFRESH, but we did not advertise route refresh", messageType: .routeRefresh,
                bytes: bytes)
            return
        }
        guard let subtype = RouteRefreshMessage.Subtype(rawValue: refresh.subtype) else {
            // RFC 7313 §5: other subtypes MUST be ignored.
            report(.ignored, "ROUTE-REFRESH subtype \(refresh.subtype)", messageType: .routeRefresh, bytes: bytes)
            return
        }
        guard session.isActive(family) else {
            // RFC 2918 §4: a family not advertised by us at session establishment is ignored.
            report(
                .ignored, "ROUTE-REFRESH for \(family), a family this session does not carry",
                messageType: .routeRefresh, bytes: bytes)
            return
        }
        switch subtype {
        case .normal:
            // RFC 7313 §4: with enhanced route refresh, the re-advertisement is framed by BoRR ... EoRR.
            if session.negotiated.enhancedRouteRefresh {
                send(.routeRefresh(RouteRefreshMessage(family: family, subtype: .beginningOfRIB)))
            }
            emit(.routeRefreshRequested(family))
        case .beginningOfRIB, .endOfRIB:
            guard session.negotiated.enhancedRouteRefresh else {
                report(
                    .ignored, "ROUTE-REFRESH subtype \(refresh.subtype) without enhanced route refresh",
                    messageType: .routeRefresh, bytes: bytes)
                return
            }
            // RFC 7313 §4: routes not re-sent between BoRR and EoRR are gone.
            emit(subtype == .beginningOfRIB ? .markRoutesStale([family]) : .sweepStaleRoutes([family]))
        }
    }

    // MARK: - Requests of the speaker

    mutating func speakerRequest(_ event: SessionEvent, _ session: EstablishedSession) {
        switch event {
        case .sendUpdate(let update):
            send(
                .update(
                    update.mappingAttributes(
                        session.negotiated.fourOctetAS
                            ? ASPathTranslation.toFourOctetPeer : ASPathTranslation.toTwoOctetPeer)))
            restartKeepaliveTimer()
        case .updatesWritten(let count):
            counters.messagesSent[.update, default: 0] += count
            restartKeepaliveTimer()
        case .initialTableSent(let families):
            // RFC 4724 §2: End-of-RIB after the initial table, once per family; useful to any peer, not only
            // to one doing graceful restart.
            var session = session
            let due = (families ?? session.activeFamilies).filter {
                session.isActive($0) && !session.endOfRIBSent.contains($0)
            }
            guard !due.isEmpty else { return }
            for family in due {
                send(.update(.endOfRIB(family)))
                session.endOfRIBSent.insert(family)
            }
            phase = .established(session)
            restartKeepaliveTimer()
        case .requestRouteRefresh(let family):
            // RFC 2918 §4: only to a peer that advertised the capability, for a family of the session.
            guard session.negotiated.routeRefresh, session.isActive(family) else { return }
            send(.routeRefresh(RouteRefreshMessage(family: family)))
        case .routeRefreshCompleted(let family):
            guard session.negotiated.enhancedRouteRefresh, session.isActive(family) else { return }
            send(.routeRefresh(RouteRefreshMessage(family: family, subtype: .endOfRIB)))
        default:
            break
        }
    }
}

extension UpdateMessage {
    /// Whether the UPDATE announces or withdraws anything.
    var carriesRoutes: Bool {
        !nlri.isEmpty || !withdrawnRoutes.isEmpty || mpReach.map { !$0.nlri.isEmpty } == true
            || mpUnreach.map { !$0.withdrawnRoutes.isEmpty } == true
    }
}
