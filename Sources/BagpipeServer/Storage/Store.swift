/// A value bound to or read from SQL: the schema only uses TEXT and INTEGER columns so that SQLite and
/// PostgreSQL hold the same data.
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case int(Int64)
    case text(String)

    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
    public var int: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }
}

public enum StoreError: Error, Equatable, Sendable {
    /// A UNIQUE or PRIMARY KEY constraint refused a row (the constraint or table name when known).
    case uniqueViolation(String)
    case backend(String)
}

public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// Runs statements inside one transaction. SQL uses `?` placeholders; backends translate.
public protocol SQLExecutor: Sendable {
    func execute(_ sql: String, _ binds: [SQLValue]) async throws
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]]
}

/// The storage backend. Every write transaction is serialised with every other write transaction (SQLite: one
/// writer; PostgreSQL: a transaction-scoped advisory lock), so "read free values, then insert" allocations of
/// route targets, IPs and MACs cannot race, and change-feed revisions commit in order. UNIQUE constraints back
/// this up in the schema.
public protocol Store: Sendable {
    var dialect: SQLDialect { get }
    func transaction<T: Sendable>(
        write: Bool, _ body: @Sendable (any SQLExecutor) async throws -> T
    ) async throws
        -> T
    func close() async
}

/// A FIFO async lock (one owner at a time) for the SQLite backend's single writer.
actor AsyncMutex {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
