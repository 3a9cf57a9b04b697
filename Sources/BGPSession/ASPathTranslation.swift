public import BGPWire

/// AS path handling between 4-octet ("NEW") and 2-octet ("OLD") speakers (RFC 6793 §4).
///
/// Inside the speaker AS paths always hold real 4-octet AS numbers. Towards an OLD peer, an AS number that
/// does not fit in 2 octets becomes AS_TRANS in AS_PATH and AGGREGATOR, and the real path travels beside it
/// in AS4_PATH / AS4_AGGREGATOR (§4.2.2). From an OLD peer, the real path is rebuilt from both (§4.2.3).
public enum ASPathTranslation {
    static let asTrans = UInt32(OpenMessage.asTrans)

    // MARK: - Sending

    /// RFC 6793 §4.2.2: the attributes to send to an OLD speaker, from attributes with real AS numbers.
    ///
    /// AS numbers above 65535 are replaced by AS_TRANS in AS_PATH and AGGREGATOR. If the path had any, an
    /// AS4_PATH carries the real one, without confederation segments (§3 forbids them there); if the
    /// aggregator's AS had 4 octets, AS4_AGGREGATOR carries it.
    public static func toTwoOctetPeer(_ attributes: [PathAttribute]) -> [PathAttribute] {
        var out = attributesWithoutAS4(attributes)
        var as4Path: ASPath?
        var as4Aggregator: Aggregator?
        for i in out.indices {
            switch out[i].value {
            case .asPath(let path):
                let (mapped, real) = twoOctetForm(of: path)
                out[i].value = .asPath(mapped)
                as4Path = real
            case .aggregator(let a) where a.asn > 0xFFFF:
                out[i].value = .aggregator(Aggregator(asn: asTrans, address: a.address))
                as4Aggregator = a
            default: break
            }
        }
        if let path = as4Path { insertInTypeOrder(PathAttribute(.as4Path(path)), into: &out) }
        if let a = as4Aggregator { insertInTypeOrder(PathAttribute(.as4Aggregator(a)), into: &out) }
        return out
    }

    /// RFC 6793 §4.1: AS4_PATH and AS4_AGGREGATOR are never sent to a NEW speaker.
    public static func toFourOctetPeer(_ attributes: [PathAttribute]) -> [PathAttribute] {
        attributesWithoutAS4(attributes)
    }

    /// `path` as an OLD speaker sees it (AS_TRANS for each 4-octet AS number), and the AS4_PATH to send beside
    /// it, nil when every AS number fits in 2 octets.
    public static func twoOctetForm(of path: ASPath) -> (asPath: ASPath, as4Path: ASPath?) {
        var needsAS4Path = false
        let mapped = ASPath(
            path.segments.map { segment in
                ASPath.Segment(
                    segment.type,
                    segment.asns.map { asn in
                        guard asn > 0xFFFF else { return asn }
                        needsAS4Path = true
                        return asTrans
                    })
            })
        guard needsAS4Path else { return (mapped, nil) }
        let real = ASPath(path.segments.filter { !$0.type.isConfederation })
        return (mapped, real.segments.isEmpty ? nil : real)
    }

    // MARK: - Receiving

    /// RFC 6793 §4.2.3: the attributes from an OLD speaker with the real AS path and aggregator rebuilt, and
    /// no AS4_PATH or AS4_AGGREGATOR left.
    public static func fromTwoOctetPeer(_ attributes: [PathAttribute]) -> [PathAttribute] {
        var asPath: ASPath?
        var as4Path: ASPath?
        var aggregator: Aggregator?
        var as4Aggregator: Aggregator?
        for attribute in attributes {
            switch attribute.value {
            case .asPath(let p): asPath = p
            case .as4Path(let p): as4Path = p
            case .aggregator(let a): aggregator = a
            case .as4Aggregator(let a): as4Aggregator = a
            default: break
            }
        }
        guard as4Path != nil || as4Aggregator != nil else { return attributes }

        var realAggregator = aggregator
        if let a = aggregator, let a4 = as4Aggregator {
            if a.asn != asTrans {
                // §4.2.3: "the AS4_AGGREGATOR attribute and the AS4_PATH attribute SHALL be ignored": an OLD
                // speaker aggregated the route, so the AS4_PATH predates the aggregation.
                as4Path = nil
            } else {
                realAggregator = a4
            }
        }
        let realPath = asPath.map { path in as4Path.map { reconstruct(asPath: path, as4Path: $0) } ?? path }

        var out = attributesWithoutAS4(attributes)
        for i in out.indices {
            switch out[i].value {
            case .asPath: if let p = realPath { out[i].value = .asPath(p) }
            case .aggregator: if let a = realAggregator { out[i].value = .aggregator(a) }
            default: break
            }
        }
        return out
    }

    /// RFC 6793 §4.1: AS4_PATH and AS4_AGGREGATOR from a NEW speaker are discarded; its AS_PATH already holds
    /// the real path.
    public static func fromFourOctetPeer(_ attributes: [PathAttribute]) -> [PathAttribute] {
        attributesWithoutAS4(attributes)
    }

    /// RFC 6793 §4.2.3: the real AS path from the AS_PATH and AS4_PATH of an OLD speaker.
    ///
    /// Path lengths count as in RFC 4271 §9.1.2.2 (an AS_SET counts one, confederation segments nothing). If
    /// AS_PATH is shorter than AS4_PATH, AS4_PATH is ignored: some OLD speaker prepended without updating it
    /// and it cannot be trusted. Otherwise the leading AS numbers AS_PATH has in excess (those added by OLD
    /// speakers after the last NEW one) are put in front of AS4_PATH. Confederation segments of AS_PATH are
    /// kept when leading or next to a kept segment; those in AS4_PATH are dropped (§6).
    public static func reconstruct(asPath: ASPath, as4Path: ASPath) -> ASPath {
        let real = ASPath(as4Path.segments.filter { !$0.type.isConfederation })
        guard asPath.length >= real.length else { return asPath }
        var wanted = asPath.length - real.length
        var segments: [ASPath.Segment] = []
        for segment in asPath.segments {
            if segment.type.isConfederation {
                // Counts nothing, so it is kept whole as long as the walk has not stopped.
                segments.append(segment)
                continue
            }
            guard wanted > 0 else { break }
            switch segment.type {
            case .set:
                segments.append(segment)
                wanted -= 1
            default:
                let taken = Array(segment.asns.prefix(wanted))
                segments.append(ASPath.Segment(segment.type, taken))
                wanted -= taken.count
            }
        }
        for segment in real.segments {
            // Join the two halves of one AS_SEQUENCE, so the result reads as the path did before translation.
            if segment.type == .sequence, let last = segments.last, last.type == .sequence {
                segments[segments.count - 1].asns += segment.asns
            } else {
                segments.append(segment)
            }
        }
        return ASPath(segments)
    }

    // MARK: - Helpers

    static func attributesWithoutAS4(_ attributes: [PathAttribute]) -> [PathAttribute] {
        attributes.filter {
            $0.typeCode != PathAttribute.TypeCode.as4Path && $0.typeCode != PathAttribute.TypeCode.as4Aggregator
        }
    }

    /// RFC 4271 §5: attributes are sent in ascending type code order.
    static func insertInTypeOrder(_ attribute: PathAttribute, into attributes: inout [PathAttribute]) {
        let at = attributes.firstIndex { $0.typeCode > attribute.typeCode } ?? attributes.endIndex
        attributes.insert(attribute, at: at)
    }
}

extension ASPath.SegmentType {
    /// AS_CONFED_SEQUENCE or AS_CONFED_SET (RFC 5065).
    var isConfederation: Bool { self == .confedSequence || self == .confedSet }
}

extension UpdateMessage {
    /// This UPDATE with its path attributes passed through `transform`.
    func mappingAttributes(_ transform: ([PathAttribute]) -> [PathAttribute]) -> UpdateMessage {
        var copy = self
        copy.pathAttributes = transform(pathAttributes)
        return copy
    }
}
