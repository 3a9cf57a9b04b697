import Foundation
import Logging
import PostgresNIO

/// PostgreSQL through PostgresNIO's pooled client. Write transactions take a transaction-scoped advisory lock
/// first, which serialises writers across every server process that shares the database (see `Store`).
public final class PostgresStore: Store {
    public let dialect = SQLDialect.postgres
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    /// Arbitrary key of the advisory lock that serialises writers ("BGPV").
    static let writeLockKey: Int64 = 0x4247_5056

    /// `url`: `postgres://user[:password]@host[:port]/database`.
    public init(url: String, logger: Logger = PostgresStore.defaultLogger("bagpipe.server.postgres")) async throws {
        let config = try Self.configuration(url)
        let client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.client = client
        runner = Task { await client.run() }
        try await Migrations.run(on: self)
    }

    /// The pool warns when a lease races `run()` starting, which is harmless here: keep errors only.
    public static func defaultLogger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .error
        return logger
    }

    public static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql",
            let host = c.host, let user = c.user
        else {
            throw StoreError.backend(
                "bad PostgreSQL URL \(url): expected postgres://user[:password]@host[:port]/database")
        }
        let database = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        var config = PostgresClient.Configuration(
            host: host, port: c.port ?? 5432, username: user, password: c.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        config.options.maximumConnections = 8
        return config
    }

    public func transaction<T: Sendable>(
        write: Bool, _ body: @Sendable (any SQLExecutor) async throws -> T
    )
        async throws -> T
    {
        try await client.withConnection { connection in
            let executor = Executor(connection: connection)
            try await executor.execute("BEGIN", [])
            do {
                if write { try await executor.execute("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))", []) }
                let result = try await body(executor)
                try await executor.execute("COMMIT", [])
                return result
            } catch {
                try? await executor.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    public func close() async {
        runner.cancel()
        _ = await runner.value
    }

    /// Runs one statement outside any transaction (CREATE/DROP DATABASE in tests and tools).
    public static func administer(url: String, _ sql: String) async throws {
        let client = PostgresClient(
            configuration: try configuration(url), backgroundLogger: defaultLogger("bagpipe.server.postgres.admin"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: sql))
        }
    }

    struct Executor: SQLExecutor {
        let connection: PostgresConnection

        /// `?` → `$n` (our SQL never has a literal question mark).
        static func translate(_ sql: String) -> String {
            var out = ""
            var n = 0
            for c in sql {
                if c == "?" {
                    n += 1
                    out += "$\(n)"
                } else {
                    out.append(c)
                }
            }
            return out
        }

        static func query(_ sql: String, _ binds: [SQLValue]) -> PostgresQuery {
            var b = PostgresBindings(capacity: binds.count)
            for v in binds {
                switch v {
                case .null: b.appendNull()
                case .int(let i): b.append(i)
                case .text(let s): b.append(s)
                }
            }
            return PostgresQuery(unsafeSQL: translate(sql), binds: b)
        }

        static func mapError(_ error: any Error) -> any Error {
            if let e = error as? PSQLError, let state = e.serverInfo?[.sqlState] {
                if state == "23505" { return StoreError.uniqueViolation(e.serverInfo?[.constraintName] ?? "unique") }
                return StoreError.backend("\(state): \(e.serverInfo?[.message] ?? "")")
            }
            return error
        }

        func execute(_ sql: String, _ binds: [SQLValue]) async throws {
            do {
                let rows = try await connection.query(Self.query(sql, binds), logger: Self.logger)
                for try await _ in rows {}
            } catch { throw Self.mapError(error) }
        }

        func query(_ sql: String, _ binds: [SQLValue]) async throws -> [[SQLValue]] {
            do {
                var out: [[SQLValue]] = []
                for try await row in try await connection.query(Self.query(sql, binds), logger: Self.logger) {
                    out.append(
                        try row.map { cell -> SQLValue in
                            switch cell.dataType {
                            case .int2, .int4, .int8: return (try cell.decode(Int64?.self)).map { .int($0) } ?? .null
                            case .bool: return (try cell.decode(Bool?.self)).map { .int($0 ? 1 : 0) } ?? .null
                            default: return (try cell.decode(String?.self)).map { .text($0) } ?? .null
                            }
                        })
                }
                return out
            } catch { throw Self.mapError(error) }
        }

        static let logger = Logger(label: "bagpipe.server.postgres.query")
    }
}
