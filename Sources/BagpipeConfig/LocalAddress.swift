import BGPWire

/// `[BGP] local_address` and `dataplane_local_address`: an IPv4 address, or the name of an interface whose first
/// IPv4 address is meant (bagpipe-bgp.md §7.2; the original looks it up with pyroute2).
///
/// The name is kept unresolved: looking it up is I/O, the job of the daemon's shell, not of the configuration.
public enum LocalAddress: Hashable, Sendable, CustomStringConvertible {
    case ipv4(IPv4Address)
    /// A Linux interface name, 1 to 15 characters without `/`, `:` or white space (the kernel's `dev_valid_name`).
    case interface(String)

    /// Parses a value. Text made only of digits and dots is taken as an IPv4 address (so `10.0.0.300` is an error,
    /// not an interface name); an IPv6 address is refused, since this address is also the router ID and the
    /// prefix of type 1 route distinguishers.
    static func parse(_ raw: String) -> Result<LocalAddress, ValueProblem> {
        let text = String(raw.trimmed())
        if let address = IPv4Address(text) {
            guard address != .zero else {
                return .failure(ValueProblem("0.0.0.0 cannot be a local address"))
            }
            return .success(.ipv4(address))
        }
        if !text.isEmpty, text.allSatisfy({ $0 == "." || $0.isASCIIDigit }) {
            return .failure(ValueProblem("\"\(text)\" is not a valid IPv4 address"))
        }
        if IPv6Address(text) != nil {
            return .failure(
                ValueProblem(
                    "\"\(text)\" is an IPv6 address; this must be an IPv4 address (it is also the router ID and the "
                        + "route distinguisher prefix) or an interface name"))
        }
        guard isValidInterfaceName(text) else {
            return .failure(
                ValueProblem(
                    "\"\(text)\" is neither an IPv4 address nor an interface name (1 to 15 characters, "
                        + "no \"/\", \":\" or spaces)"))
        }
        return .success(.interface(text))
    }

    /// Linux `dev_valid_name()`: non-empty, shorter than `IFNAMSIZ` (16), not `.` or `..`, no `/`, `:` or white
    /// space.
    static func isValidInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15 && name != "." && name != ".."
            && !name.contains { $0 == "/" || $0 == ":" || $0.isWhitespace }
    }

    /// The address, when it is given as one.
    public var ipv4: IPv4Address? {
        if case .ipv4(let address) = self { return address }
        return nil
    }

    /// As written in the file.
    public var description: String {
        switch self {
        case .ipv4(let address): address.description
        case .interface(let name): name
        }
    }
}
