import Foundation
import Testing

@testable import BagpipeServer

/// The two storage backends every store-dependent test runs against.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// PostgreSQL from scripts/deps.d/server.sh; override with BAGPIPE_TEST_POSTGRES_URL.
    static var postgresAdminURL: String {
        ProcessInfo.processInfo.environment["BAGPIPE_TEST_POSTGRES_URL"]
            ?? "postgres://bagpipe:bagpipe@127.0.0.1:5432/bagpipe"
    }

    static func uniqueName() -> String {
        "bagpipe_test_\(getpid())_\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Opens a fresh, empty store (its own SQLite file or PostgreSQL database), runs `body`, then removes it.
    func withStore<T>(_ body: (any Store) async throws -> T) async throws -> T {
        let name = Self.uniqueName()
        switch self {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".sqlite").path
            defer {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            let store = try await SQLiteStore(path: path)
            let result = try await body(store)
            await store.close()
            return result
        case .postgres:
            let admin = Self.postgresAdminURL
            try await PostgresStore.administer(url: admin, "CREATE DATABASE \(name)")
            var c = URLComponents(string: admin)!
            c.path = "/" + name
            let result: Result<T, any Error>
            let store = try await PostgresStore(url: c.string!)
            do {
                result = .success(try await body(store))
            } catch {
                result = .failure(error)
            }
            await store.close()
            try await PostgresStore.administer(url: admin, "DROP DATABASE \(name) WITH (FORCE)")
            return try result.get()
        }
    }
}

/// Identities used by the tests (bgpvpn-api.md §8.1: admin, primary, alt).
enum Tokens {
    static let admin = "admin-token"
    static let alice = "alice-token"  // project-a, member (tempest "primary")
    static let bob = "bob-token"  // project-b, member (tempest "alt")

    static var config: ServerConfig {
        var c = ServerConfig()
        c.tokens = [
            admin: Caller(projectID: "admin-project", roles: ["admin"]),
            alice: Caller(projectID: "project-a", roles: ["member", "reader"]),
            bob: Caller(projectID: "project-b", roles: ["member", "reader"]),
        ]
        return c
    }
}

/// Drives `NeutronAPI` directly (no sockets).
struct Harness: Sendable {
    let api: NeutronAPI

    static func with<T>(
        _ backend: Backend, config: ServerConfig = Tokens.config, _ body: (Harness) async throws -> T
    ) async throws -> T {
        try await backend.withStore { store in
            try await body(Harness(api: NeutronAPI(service: NeutronService(store: store, config: config))))
        }
    }

    @discardableResult
    func call(
        _ method: String, _ path: String, _ token: String? = Tokens.admin, _ body: JSON? = nil, query: String? = nil
    )
        async -> APIResponse
    {
        await api.handle(
            APIRequest(
                method: method, path: path, query: query, token: token,
                body: body.map { Array($0.serialized().utf8) } ?? [],
                baseURL: "http://127.0.0.1:9696"))
    }

    /// POST that must succeed; returns the created object.
    func create(
        _ path: String, _ resource: String, _ attrs: JSON, _ token: String = Tokens.admin,
        sourceLocation: SourceLocation = #_sourceLocation
    )
        async -> JSONObject
    {
        let r = await call("POST", path, token, [resource: attrs])
        #expect(r.status == 201, "POST \(path): \(r.body?.serialized() ?? "")", sourceLocation: sourceLocation)
        return r.body?[resource]?.objectValue ?? JSONObject()
    }

    func id(_ o: JSONObject) -> String { o.string("id") ?? "" }
}

extension APIResponse {
    var errorType: String? { body?["NeutronError"]?["type"]?.stringValue }
    var errorMessage: String? { body?["NeutronError"]?["message"]?.stringValue }
}
