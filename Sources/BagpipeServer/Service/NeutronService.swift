import Foundation

/// The Neutron + BGPVPN plugin logic over a `Store`: every API operation is one transaction. Returns internal
/// documents (all attributes, computed ones filled in); the HTTP layer shapes them with `ResourceSchema.view`.
public struct NeutronService: Sendable {
    public let store: any Store
    public let config: ServerConfig
    public let feed: ChangeNotifier

    public init(store: any Store, config: ServerConfig, feed: ChangeNotifier = ChangeNotifier()) {
        self.store = store
        self.config = config
        self.feed = feed
    }

    static func newID() -> String { UUID().uuidString.lowercased() }

    /// A write transaction; the change feed is signalled after commit.
    func write<T: Sendable>(_ body: @Sendable (Repository) async throws -> T) async throws -> T {
        let dialect = store.dialect
        let result = try await store.transaction(write: true) { db in try await body(Repository(db, dialect: dialect)) }
        await feed.signal()
        return result
    }

    func read<T: Sendable>(_ body: @Sendable (Repository) async throws -> T) async throws -> T {
        let dialect = store.dialect
        return try await store.transaction(write: false) { db in try await body(Repository(db, dialect: dialect)) }
    }

    // MARK: Scoping (bgpvpn-api.md §1.6: another project's object is a 404, never a 403)

    static func owned(_ doc: JSONObject, _ caller: Caller) -> Bool { caller.owns(doc.string("project_id")) }

    /// Networks are also visible when shared or external.
    static func networkVisible(_ doc: JSONObject, _ caller: Caller) -> Bool {
        owned(doc, caller) || doc.bool("shared") == true || doc.bool("router:external") == true
    }

    func scoped(
        _ repo: Repository, _ table: DocumentTable, _ id: String, _ caller: Caller, _ schema: ResourceSchema
    )
        async throws -> JSONObject
    {
        guard let doc = try await repo.get(table, id), Self.owned(doc, caller) else { throw schema.notFound(id) }
        return doc
    }

    func visibleNetwork(_ repo: Repository, _ id: String, _ caller: Caller) async throws -> JSONObject {
        guard let doc = try await repo.get(.networks, id), Self.networkVisible(doc, caller) else {
            throw Schemas.network.notFound(id)
        }
        return doc
    }

    /// Rows the caller may list: all for admins, else their own (plus shared/external networks).
    func listScoped(
        _ repo: Repository, _ table: DocumentTable, _ caller: Caller, _ filters: [(String, SQLValue)] = []
    )
        async throws -> [JSONObject]
    {
        if caller.isAdmin { return try await repo.list(table, filters) }
        if table.name == DocumentTable.networks.name {
            return try await repo.list(table, filters).filter { Self.networkVisible($0, caller) }
        }
        return try await repo.list(table, filters + [("project_id", .text(caller.projectID))])
    }
}

/// Wakes long-polling agents when a write commits (bgpvpn change feed). A generation counter closes the race
/// between "read the database, found nothing" and "start waiting".
public actor ChangeNotifier {
    private var generation: UInt64 = 0
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    public init() {}

    public var currentGeneration: UInt64 { generation }

    public func signal() {
        generation &+= 1
        let all = waiters
        waiters = [:]
        for (_, c) in all { c.resume() }
    }

    /// Returns when a signal arrives after `seen` (immediately if one already has), or after `timeout`.
    public func wait(after seen: UInt64, timeout: Duration) async {
        if generation != seen { return }
        let id = nextWaiter
        nextWaiter &+= 1
        let timer = Task {
            try? await Task.sleep(for: timeout)
            self.expire(id)
        }
        await withCheckedContinuation { waiters[id] = $0 }
        timer.cancel()
    }

    private func expire(_ id: UInt64) { waiters.removeValue(forKey: id)?.resume() }
}
