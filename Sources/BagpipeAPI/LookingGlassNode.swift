/// An object of the looking-glass tree (§6.4), the original's `LookingGlassMixin`.
///
/// A node has local information (a JSON object) and named entries. Queried without a sub-path, a node answers
/// its local information plus its entries: values and sub-items inlined, everything else as `{"href": ...}`. With
/// a sub-path, the first segment selects an entry, or else a member of that answer.
public protocol LookingGlassNode: Sendable {
    /// The original's `get_lg_local_info(path_prefix)`; `prefix` is this node's absolute URL.
    func localInfo(prefix: String) async throws -> JSONObject
    /// The original's `get_lg_map()`, in output order. An entry named like a local-info member replaces it.
    func entries() async throws -> [LookingGlassEntry]
}

extension LookingGlassNode {
    public func localInfo(prefix: String) async throws -> JSONObject { [:] }
    public func entries() async throws -> [LookingGlassEntry] { [] }
}

/// A named entry of a node's map.
public struct LookingGlassEntry: Sendable {
    public var name: String
    public var kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The original's six mapping types.
    public enum Kind: Sendable {
        /// A literal, inlined.
        case value(JSONValue)
        /// Computed and inlined in the parent's answer.
        case subitem(@Sendable () async throws -> JSONValue)
        /// Computed only when queried (the argument is the subtree's own URL); an href in the parent's answer.
        case subtree(@Sendable (_ prefix: String) async throws -> JSONValue)
        /// Ask the node for the *same* path: its answer takes this node's place (an href in the parent's answer).
        case forward(any LookingGlassNode)
        /// Hand the *remaining* path to the node (an href in the parent's answer).
        case delegate(any LookingGlassNode)
        /// `list` gives the items (each with an `"id"` member, to which an `"href"` is added); `/<name>/<id>/...`
        /// is handed to `item(id)`, nil meaning no such item.
        case collection(
            list: @Sendable () async throws -> [JSONObject],
            item: @Sendable (_ id: String) async throws -> (any LookingGlassNode)?)
    }

    public static func value(_ name: String, _ v: JSONValue) -> Self { Self(name, .value(v)) }
    public static func subitem(_ name: String, _ f: @escaping @Sendable () async throws -> JSONValue) -> Self {
        Self(name, .subitem(f))
    }
    public static func subtree(_ name: String, _ f: @escaping @Sendable (String) async throws -> JSONValue) -> Self {
        Self(name, .subtree(f))
    }
    public static func forward(_ name: String, _ n: any LookingGlassNode) -> Self { Self(name, .forward(n)) }
    public static func delegate(_ name: String, _ n: any LookingGlassNode) -> Self { Self(name, .delegate(n)) }
    public static func collection(
        _ name: String, list: @escaping @Sendable () async throws -> [JSONObject],
        item: @escaping @Sendable (String) async throws -> (any LookingGlassNode)?
    ) -> Self {
        Self(name, .collection(list: list, item: item))
    }
}

/// A path that names nothing: HTTP 404 with ``description`` as the body (§6.4).
public struct LookingGlassNotFound: Error, Hashable, Sendable, CustomStringConvertible {
    /// The segment that failed (quoted as Python printed a missing key, for a missing member).
    public var path: String
    /// The URL under which it was looked up.
    public var prefix: String

    public init(path: String, prefix: String) {
        self.path = path
        self.prefix = prefix
    }

    public var description: String { "No such looking glass object: \(path) at \(prefix)" }
}
