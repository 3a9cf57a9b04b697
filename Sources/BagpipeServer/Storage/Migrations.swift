/// Versioned schema migrations, one list of statements per dialect and version. The schemas hold the same data
/// in both databases; only the ordering column and auto-increment syntax differ.
enum Migrations {
    static func documentTable(_ name: String, _ extra: [String], _ dialect: SQLDialect) -> String {
        let seq = dialect == .postgres ? ", seq BIGSERIAL" : ""
        let cols = extra.isEmpty ? "" : ", " + extra.joined(separator: ", ")
        return "CREATE TABLE \(name) (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, body TEXT NOT NULL\(cols)\(seq))"
    }

    static func version1(_ d: SQLDialect) -> [String] {
        let serial = d == .postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        return [
            documentTable("networks", [], d),
            documentTable("subnets", ["network_id TEXT NOT NULL"], d),
            "CREATE INDEX subnets_network ON subnets (network_id)",
            documentTable(
                "ports",
                [
                    "network_id TEXT NOT NULL", "device_id TEXT NOT NULL", "host_id TEXT NOT NULL",
                    "mac_address TEXT NOT NULL UNIQUE",
                ],
                d),
            "CREATE INDEX ports_network ON ports (network_id)",
            "CREATE INDEX ports_host ON ports (host_id)",
            "CREATE INDEX ports_device ON ports (device_id)",
            documentTable("routers", [], d),
            documentTable("bgpvpns", [], d),
            documentTable(
                "network_associations",
                ["bgpvpn_id TEXT NOT NULL", "network_id TEXT NOT NULL", "UNIQUE (bgpvpn_id, network_id)"], d),
            documentTable(
                "router_associations",
                ["bgpvpn_id TEXT NOT NULL", "router_id TEXT NOT NULL", "UNIQUE (bgpvpn_id, router_id)"], d),
            documentTable(
                "port_associations",
                ["bgpvpn_id TEXT NOT NULL", "port_id TEXT NOT NULL", "UNIQUE (bgpvpn_id, port_id)"], d),
            "CREATE INDEX network_associations_network ON network_associations (network_id)",
            "CREATE INDEX router_associations_router ON router_associations (router_id)",
            "CREATE INDEX port_associations_port ON port_associations (port_id)",
            // One row per allocated address: the primary key is what makes a double allocation impossible.
            "CREATE TABLE ip_allocations (subnet_id TEXT NOT NULL, ip_address TEXT NOT NULL, port_id TEXT NOT NULL, PRIMARY KEY (subnet_id, ip_address))",
            "CREATE INDEX ip_allocations_port ON ip_allocations (port_id)",
            // bagpipe-bgp.md §8.5 `ml2_route_target_allocations`, but only allocated rows are stored.
            "CREATE TABLE route_target_allocations (rt_nn INTEGER PRIMARY KEY, network_id TEXT NOT NULL UNIQUE)",
            "CREATE TABLE changes (revision \(serial), resource TEXT NOT NULL, resource_id TEXT NOT NULL, event TEXT NOT NULL, host TEXT)",
            "CREATE INDEX changes_host ON changes (host)",
        ]
    }

    static func steps(_ d: SQLDialect) -> [[String]] { [version1(d)] }

    static func run(on store: any Store) async throws {
        let dialect = store.dialect
        try await store.transaction(write: true) { db in
            try await db.execute("CREATE TABLE IF NOT EXISTS bagpipe_schema_version (version INTEGER NOT NULL)", [])
            let rows = try await db.query("SELECT version FROM bagpipe_schema_version", [])
            var version = rows.first?.first?.int ?? 0
            if rows.isEmpty { try await db.execute("INSERT INTO bagpipe_schema_version (version) VALUES (0)", []) }
            let all = steps(dialect)
            while version < Int64(all.count) {
                for sql in all[Int(version)] { try await db.execute(sql, []) }
                version += 1
                try await db.execute("UPDATE bagpipe_schema_version SET version = ?", [.int(version)])
            }
        }
    }
}
