/// A table of JSON documents plus the indexed columns derived from them.
public struct DocumentTable: Sendable {
    public let name: String
    let columns: [Column]

    /// An indexed column and the document key it is copied from.
    struct Column: Sendable {
        let name: String
        let key: String
        func value(_ doc: JSONObject) -> SQLValue { .text(doc.string(key) ?? "") }
    }

    static func text(_ name: String, _ key: String? = nil) -> Column { Column(name: name, key: key ?? name) }

    public static let networks = DocumentTable(name: "networks", columns: [])
    public static let subnets = DocumentTable(name: "subnets", columns: [text("network_id")])
    public static let ports = DocumentTable(
        name: "ports",
        columns: [
            text("network_id"), text("device_id"), text("host_id", "binding:host_id"),
            text("mac_address"),
        ])
    public static let routers = DocumentTable(name: "routers", columns: [])
    public static let bgpvpns = DocumentTable(name: "bgpvpns", columns: [])
    public static let networkAssociations = DocumentTable(
        name: "network_associations", columns: [text("bgpvpn_id"), text("network_id")])
    public static let routerAssociations = DocumentTable(
        name: "router_associations", columns: [text("bgpvpn_id"), text("router_id")])
    public static let portAssociations = DocumentTable(
        name: "port_associations", columns: [text("bgpvpn_id"), text("port_id")])
}

/// One change of the agent feed: revisions increase monotonically and commit in order (writes are serialised).
public struct Change: Sendable, Equatable {
    public var revision: Int64
    public var resource: String
    public var resourceID: String
    public var event: String
    /// The host concerned (a port's binding host), or nil when any host may be concerned.
    public var host: String?
}

/// Typed access to the schema inside one transaction.
public struct Repository: Sendable {
    let db: any SQLExecutor
    let dialect: SQLDialect

    public init(_ db: any SQLExecutor, dialect: SQLDialect) {
        self.db = db
        self.dialect = dialect
    }

    var order: String { dialect == .postgres ? "seq" : "rowid" }

    static func decode(_ row: [SQLValue]) throws -> JSONObject {
        guard let text = row.first?.text, case .object(let o) = try JSON.parse(text) else {
            throw StoreError.backend("corrupt document")
        }
        return o
    }

    public func get(_ t: DocumentTable, _ id: String) async throws -> JSONObject? {
        try await db.query("SELECT body FROM \(t.name) WHERE id = ?", [.text(id)]).first.map(Self.decode)
    }

    /// Documents in creation order, filtered by equality on indexed columns (`project_id`, `id` and the table's own).
    public func list(_ t: DocumentTable, _ filters: [(String, SQLValue)] = []) async throws -> [JSONObject] {
        let clause = filters.isEmpty ? "" : " WHERE " + filters.map { "\($0.0) = ?" }.joined(separator: " AND ")
        return try await db.query("SELECT body FROM \(t.name)\(clause) ORDER BY \(order)", filters.map { $0.1 }).map(
            Self.decode)
    }

    public func insert(_ t: DocumentTable, _ doc: JSONObject) async throws {
        let names = ["id", "project_id", "body"] + t.columns.map(\.name)
        let values: [SQLValue] =
            [
                .text(doc.string("id") ?? ""), .text(doc.string("project_id") ?? ""),
                .text(JSON.object(doc).serialized()),
            ]
            + t.columns.map { $0.value(doc) }
        try await db.execute(
            "INSERT INTO \(t.name) (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
            values)
    }

    public func update(_ t: DocumentTable, _ doc: JSONObject) async throws {
        let names = ["body"] + t.columns.map(\.name)
        let values: [SQLValue] = [.text(JSON.object(doc).serialized())] + t.columns.map { $0.value(doc) }
        try await db.execute(
            "UPDATE \(t.name) SET \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?",
            values + [.text(doc.string("id") ?? "")])
    }

    public func delete(_ t: DocumentTable, _ id: String) async throws {
        try await db.execute("DELETE FROM \(t.name) WHERE id = ?", [.text(id)])
    }

    // MARK: IP allocations

    public func allocatedIPs(subnetID: String) async throws -> Set<String> {
        Set(
            try await db.query("SELECT ip_address FROM ip_allocations WHERE subnet_id = ?", [.text(subnetID)])
                .compactMap { $0[0].text })
    }
    public func countIPs(subnetID: String) async throws -> Int64 {
        try await db.query("SELECT COUNT(*) FROM ip_allocations WHERE subnet_id = ?", [.text(subnetID)]).first?[0].int
            ?? 0
    }
    public func allocateIP(subnetID: String, ip: String, portID: String) async throws {
        try await db.execute(
            "INSERT INTO ip_allocations (subnet_id, ip_address, port_id) VALUES (?, ?, ?)",
            [.text(subnetID), .text(ip), .text(portID)])
    }
    public func ipOwner(subnetID: String, ip: String) async throws -> String? {
        try await db.query(
            "SELECT port_id FROM ip_allocations WHERE subnet_id = ? AND ip_address = ?", [.text(subnetID), .text(ip)]
        ).first?[0].text
    }
    public func releaseIPs(portID: String) async throws {
        try await db.execute("DELETE FROM ip_allocations WHERE port_id = ?", [.text(portID)])
    }
    public func releaseIP(subnetID: String, ip: String) async throws {
        try await db.execute(
            "DELETE FROM ip_allocations WHERE subnet_id = ? AND ip_address = ?", [.text(subnetID), .text(ip)])
    }

    public func macInUse(_ mac: String) async throws -> Bool {
        !(try await db.query("SELECT 1 FROM ports WHERE mac_address = ?", [.text(mac)]).isEmpty)
    }

    // MARK: Route targets (bagpipe-bgp.md §8.5)

    public func allocatedRouteTargets() async throws -> Set<Int> {
        Set(try await db.query("SELECT rt_nn FROM route_target_allocations", []).compactMap { $0[0].int.map(Int.init) })
    }
    public func routeTargetOwner(_ nn: Int) async throws -> String? {
        try await db.query("SELECT network_id FROM route_target_allocations WHERE rt_nn = ?", [.int(Int64(nn))]).first?[
            0
        ].text
    }
    public func allocateRouteTarget(_ nn: Int, networkID: String) async throws {
        try await db.execute(
            "INSERT INTO route_target_allocations (rt_nn, network_id) VALUES (?, ?)",
            [.int(Int64(nn)), .text(networkID)])
    }
    public func releaseRouteTarget(networkID: String) async throws {
        try await db.execute("DELETE FROM route_target_allocations WHERE network_id = ?", [.text(networkID)])
    }

    // MARK: Change feed

    public func record(_ resource: String, _ id: String, _ event: String, host: String? = nil) async throws {
        try await db.execute(
            "INSERT INTO changes (resource, resource_id, event, host) VALUES (?, ?, ?, ?)",
            [.text(resource), .text(id), .text(event), host.map { .text($0) } ?? .null])
    }

    public func latestRevision() async throws -> Int64 {
        try await db.query("SELECT MAX(revision) FROM changes", []).first?[0].int ?? 0
    }

    /// Changes after `revision` that concern `host` (or every host), oldest first.
    public func changes(after revision: Int64, host: String?, limit: Int) async throws -> [Change] {
        let rows: [[SQLValue]]
        if let host {
            rows = try await db.query(
                "SELECT revision, resource, resource_id, event, host FROM changes WHERE revision > ? AND (host IS NULL OR host = ?) ORDER BY revision LIMIT \(limit)",
                [.int(revision), .text(host)])
        } else {
            rows = try await db.query(
                "SELECT revision, resource, resource_id, event, host FROM changes WHERE revision > ? ORDER BY revision LIMIT \(limit)",
                [.int(revision)])
        }
        return rows.map { r in
            Change(
                revision: r[0].int ?? 0, resource: r[1].text ?? "", resourceID: r[2].text ?? "", event: r[3].text ?? "",
                host: r[4].text)
        }
    }
}
