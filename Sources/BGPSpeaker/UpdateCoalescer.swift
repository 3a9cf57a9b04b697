import BGPWire

/// Joins adjacent UPDATEs that differ only by their routes into as few messages as the peer's maximum message
/// length allows (RFC 4271 §4.3; 65535 with RFC 8654).
///
/// The routing engine packs the output of each event, and takes local routes one per event: 2,000 routes
/// originated in one call come out as 2,000 one-route UPDATEs with the same attributes. Gathered over an
/// event-loop turn, they leave here as a handful of full ones. Only neighbours are joined, so the order of
/// announcements and withdrawals is kept; a message is never split, so what the engine packed stays packed.
///
/// Sizes come from BGPWire's encoder: a run's fixed part is measured once with no routes, each message's routes
/// as its size minus that. When MP_REACH_NLRI or MP_UNREACH_NLRI passes 255 octets its length field takes one more
/// octet; one octet is kept free for it.
enum UpdateCoalescer {
    /// What a message must share with its neighbour to be joined: everything but its routes.
    enum Shape: Hashable {
        /// Announcements only; the message with its routes removed.
        case announcement(UpdateMessage)
        /// Withdrawals only: of IPv4 unicast in the Withdrawn Routes field (nil), or of a family in
        /// MP_UNREACH_NLRI.
        case withdrawal(AddressFamily?)
    }

    static func coalesce(
        _ messages: [UpdateMessage], maximumLength: Int, options: EncodingOptions
    ) -> [UpdateMessage] {
        guard messages.count > 1 else { return messages }
        var out: [UpdateMessage] = []
        out.reserveCapacity(messages.count)
        var start = 0
        while start < messages.count {
            guard let kind = shape(of: messages[start]) else {
                out.append(messages[start])
                start += 1
                continue
            }
            var end = start + 1
            while end < messages.count, shape(of: messages[end]) == kind { end += 1 }
            if end - start == 1 {
                out.append(messages[start])
            } else {
                out += join(messages[start..<end], kind, maximumLength: maximumLength, options: options)
            }
            start = end
        }
        return out
    }

    static func shape(of m: UpdateMessage) -> Shape? {
        if m.withdrawnRoutes.isEmpty, m.mpUnreach == nil {
            if !m.nlri.isEmpty, m.mpReach == nil {
                var template = m
                template.nlri = []
                return .announcement(template)
            }
            if m.nlri.isEmpty, let reach = m.mpReach, !reach.nlri.isEmpty {
                return .announcement(withRoutes(m, .empty(for: reach.family)))
            }
            return nil
        }
        if m.nlri.isEmpty, m.mpReach == nil {
            if !m.withdrawnRoutes.isEmpty, m.pathAttributes.isEmpty { return .withdrawal(nil) }
            if m.withdrawnRoutes.isEmpty, m.pathAttributes.count == 1, let unreach = m.mpUnreach,
                !unreach.withdrawnRoutes.isEmpty
            {
                return .withdrawal(unreach.family)
            }
        }
        return nil
    }

    /// The routes of a message of `shape`.
    static func routes(_ m: UpdateMessage, _ shape: Shape) -> NLRIList {
        switch shape {
        case .announcement: m.mpReach?.nlri ?? .ipv4(m.nlri)
        case .withdrawal(let family): family == nil ? .ipv4(m.withdrawnRoutes) : m.mpUnreach!.withdrawnRoutes
        }
    }

    /// A message of `shape` carrying `list`.
    static func message(_ shape: Shape, _ list: NLRIList) -> UpdateMessage {
        switch shape {
        case .announcement(let template):
            if template.mpReach == nil, case .ipv4(let l) = list {
                var m = template
                m.nlri = l
                return m
            }
            return withRoutes(template, list)
        case .withdrawal(let family):
            guard let family else {
                guard case .ipv4(let l) = list else { return UpdateMessage() }
                return UpdateMessage(withdrawnRoutes: l)
            }
            return UpdateMessage(pathAttributes: [
                PathAttribute(.mpUnreachNLRI(MPUnreachNLRI(family: family, withdrawnRoutes: list)))
            ])
        }
    }

    /// `m` with MP_REACH_NLRI carrying `list` instead of its routes.
    static func withRoutes(_ m: UpdateMessage, _ list: NLRIList) -> UpdateMessage {
        var out = m
        out.pathAttributes = m.pathAttributes.map { attribute in
            guard case .mpReachNLRI(var reach) = attribute.value else { return attribute }
            reach.nlri = list
            return PathAttribute(flags: attribute.flags, value: .mpReachNLRI(reach))
        }
        return out
    }

    static func join(
        _ run: ArraySlice<UpdateMessage>, _ shape: Shape, maximumLength: Int, options: EncodingOptions
    ) -> [UpdateMessage] {
        func size(_ m: UpdateMessage) -> Int { BGPMessage.update(m).encode(options: options).count }
        let empty = message(shape, .empty(for: family(of: shape)))
        let base = size(empty)
        // The multiprotocol attributes' length field may grow to two octets as routes are added.
        let slack = empty.pathAttributes.isEmpty ? 0 : 1
        var out: [UpdateMessage] = []
        // The message being filled: its routes, their octets, and the first message, sent as it was when alone.
        var current: (list: NLRIList, octets: Int, joined: Int, first: UpdateMessage)?
        func close() {
            guard let c = current else { return }
            out.append(c.joined == 1 ? c.first : message(shape, c.list))
        }
        for m in run {
            let list = routes(m, shape)
            let octets = size(m) - base
            if let c = current, base + slack + c.octets + octets <= maximumLength,
                let joined = c.list.appending(list)
            {
                current = (joined, c.octets + octets, c.joined + 1, c.first)
            } else {
                close()
                current = (list, octets, 1, m)
            }
        }
        close()
        return out
    }

    static func family(of shape: Shape) -> AddressFamily {
        switch shape {
        case .announcement(let template): template.mpReach?.family ?? .ipv4Unicast
        case .withdrawal(let family): family ?? .ipv4Unicast
        }
    }
}
