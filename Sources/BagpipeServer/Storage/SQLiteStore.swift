import GRDB

/// SQLite through GRDB: one file, one connection. Transactions are opened with `BEGIN IMMEDIATE` under an async
/// mutex, and each statement runs on GRDB's serial queue.
public final class SQLiteStore: Store {
    public let dialect = SQLDialect.sqlite
    private let queue: DatabaseQueue
    private let mutex = AsyncMutex()

    /// `path` ":memory:" gives a private in-memory database.
    public init(path: String) async throws {
        var config = Configuration()
        // Our transactions span several GRDB accesses (the service logic is async); the mutex guarantees that
        // nothing else runs on the connection meanwhile.
        config.allowsUnsafeTransactions = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        queue =
            path == ":memory:"
            ? try DatabaseQueue(configuration: config) : try DatabaseQueue(path: path, configuration: config)
        if path != ":memory:" {
            try await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        }
        try await Migrations.run(on: self)
    }

    public func transaction<T: Sendable>(
        write: Bool, _ body: @Sendable (any SQLExecutor) async throws -> T
    )
        async throws -> T
    {
        await mutex.lock()
        do {
            let executor = Executor(queue: queue)
            try await executor.execute(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED", [])
            let result: T
            do {
                result = try await body(executor)
                try await executor.execute("COMMIT", [])
            } catch {
                try? await executor.execute("ROLLBACK", [])
                throw error
            }
            await mutex.unlock()
            return result
        } catch {
            await mutex.unlock()
            throw error
        }
    }

    public func close() async {
        try? await queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA optimize") }
    }

    struct Executor: SQLExecutor {
        let queue: DatabaseQueue

        static func arguments(_ binds: [SQLValue]) -> StatementArguments {
            StatementArguments(
                binds.map { v -> (any DatabaseValueConvertible)? in
                    switch v {
                    case .null: return nil
                    case .int(let i): return i
                    case .text(let s): return s
                    }
                })
        }

        static func mapError(_ error: any Error) -> any Error {
            if let e = error as? DatabaseError, e.resultCode == .SQLITE_CONSTRAINT {
                return StoreError.uniqueViolation(e.message ?? "constraint")
            }
            return error
        }

        func execute(_ sql: String, _ binds: [SQLValue]) async throws {
            do {
                try await queue.writeWithoutTransaction { db in
                    try db.execute(sql: sql, arguments: Self.arguments(binds))
                }
            } catch { throw Self.mapError(error) }
        }

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
            do {
                return try await queue.writeWithoutTransaction { db in
                    try Row.fetchAll(db, sql: sql, arguments: Self.arguments(binds)).map { row in
                        row.databaseValues.map { dv -> SQLValue in
                            switch dv.storage {
                            case .null: return .null
                            case .int64(let i): return .int(i)
                            case .double(let d): return .int(Int64(d))
                            case .string(let s): return .text(s)
                            case .blob(let b): return .text(String(decoding: b, as: UTF8.self))
                            }
                        }
                    }
                }
            } catch { throw Self.mapError(error) }
        }
    }
}
