/// Who is calling: the identity a token maps to (bgpvpn-api.md §7.2).
public struct Caller: Sendable, Equatable {
    public var projectID: String
    public var roles: [String]

    public init(projectID: String, roles: [String]) {
        self.projectID = projectID
        self.roles = roles
    }

    /// `rule:admin_only` (§1.6).
    public var isAdmin: Bool { roles.contains("admin") }

    /// `rule:admin_or_owner` (§1.6).
    public func owns(_ projectID: String?) -> Bool { isAdmin || projectID == self.projectID }
}
