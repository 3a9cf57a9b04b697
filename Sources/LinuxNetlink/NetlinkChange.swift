/// One change to apply to a kernel table, as `ip`/`bridge` spell them: add (fail if present), replace (create
/// or overwrite), append (one more alongside: `bridge fdb append` for the flood list), delete.
public enum NetlinkChange<Value: Hashable & Sendable>: Hashable, Sendable {
    case add(Value)
    case replace(Value)
    case append(Value)
    case delete(Value)

    public var value: Value {
        switch self {
        case .add(let value), .replace(let value), .append(let value), .delete(let value): value
        }
    }

    /// The write mode, or nil for a delete.
    var mode: NetlinkWriteMode? {
        switch self {
        case .add: .add
        case .replace: .replace
        case .append: .append
        case .delete: nil
        }
    }
}

extension NetlinkChange<FDBEntry> {
    public var request: NetlinkRequest {
        mode.map { NeighborRequest.fdb($0, value) } ?? NeighborRequest.deleteFDB(value)
    }
}

extension NetlinkChange<Neighbor> {
    public var request: NetlinkRequest {
        mode.map { NeighborRequest.neighbor($0, value) } ?? NeighborRequest.deleteNeighbor(value)
    }
}

extension NetlinkChange<Route> {
    public var request: NetlinkRequest {
        mode.map { RouteRequest.route($0, value) } ?? RouteRequest.delete(value)
    }
}

extension NetlinkChange<InterfaceAddress> {
    public var request: NetlinkRequest {
        mode.map { AddressRequest.add(value, mode: $0) } ?? AddressRequest.delete(value)
    }
}

/// Decodes each message of a dump of `type` with `decode`; a message that does not parse fails the whole dump
/// (a reconcile must not act on a partial view).
func decodeAll<T>(
    _ messages: [NetlinkMessage], type: UInt16, _ decode: (NetlinkMessage) throws(NetlinkDecodingError) -> T?
) throws(NetlinkError) -> [T] {
    var values: [T] = []
    for message in messages where message.header.type == type {
        do throws(NetlinkDecodingError) {
            if let value = try decode(message) { values.append(value) }
        } catch {
            throw .decoding(error)
        }
    }
    return values
}
