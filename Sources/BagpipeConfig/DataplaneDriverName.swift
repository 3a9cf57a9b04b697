/// `dataplane_driver` values (bagpipe-bgp.md §5.1): the entry point names (`dummy`, `linux`, `ovs`) and the legacy
/// aliases the original also registers, which name the driver class, optionally with its module
/// (`DummyDataplaneDriver`, `mpls_ovs_dataplane.MPLSOVSDataplaneDriver`, `bagpipe.bgp.vpn.ipvpn.…`).
enum DataplaneDriverName {
    /// Canonical name of `text` among `names` (compared without regard to case), or of the class named by its
    /// last dotted component in `classes`; `legacy` is true for a class name.
    static func parse(
        _ raw: String, names: [String], classes: [String: String]
    ) -> Result<
        (name: String, legacy: Bool), ValueProblem
    > {
        let text = String(raw.trimmed())
        if let name = names.first(where: { $0 == text.lowercased() }) { return .success((name, false)) }
        if let last = text.split(separator: ".").last, let name = classes[String(last)] {
            return .success((name, true))
        }
        return .failure(ValueProblem("not a dataplane driver (\(names.joined(separator: ", ")))"))
    }
}

extension DataplaneDriverName {
    /// Reads the options every driver section has (bagpipe-bgp.md §5.1): `dataplane_driver` (`nil` when refused)
    /// and `dataplane_local_address` (empty or absent: the `[BGP]` local address).
    static func readCommon(
        _ r: inout SectionReader, _ diagnostics: inout Diagnostics, names: [String], classes: [String: String]
    ) -> (driver: String?, localAddress: LocalAddress?) {
        let parsed = r.read("dataplane_driver", &diagnostics) { parse($0, names: names, classes: classes) }
        if let parsed, parsed.legacy, let entry = r.section?["dataplane_driver"] {
            diagnostics.warn(
                section: r.name, key: entry.key, line: entry.line, "legacy driver name; use \(parsed.name)")
        }
        let driver = r.failed.contains("dataplane_driver") ? nil : parsed?.name ?? "dummy"
        var localAddress: LocalAddress?
        if let entry = r.entry("dataplane_local_address"), !entry.value.isEmpty {
            localAddress = r.read(entry.key, &diagnostics, LocalAddress.parse)
        }
        return (driver, localAddress)
    }

    /// The options no typed setting read, passed to the driver as they are; warns about those that no driver of
    /// this type has.
    static func leftovers(
        _ r: SectionReader, _ diagnostics: inout Diagnostics, driverKeys: [String], type: String
    ) -> [String: String] {
        var options: [String: String] = [:]
        for key in r.section?.keys ?? [] where !r.used.contains(key) {
            options[key] = r.section?[key]?.value
        }
        var warner = r
        for key in driverKeys { warner.used.insert(key) }
        warner.warnUnknownKeys(
            &diagnostics, known: driverKeys + ["dataplane_driver", "dataplane_local_address"],
            what: "not an option of any \(type) driver; passed to the driver as it is")
        return options
    }
}
