/// Who may pass a policy rule (§1.6): rules that are not registered count as allowed.
public enum Rule: Sendable, Equatable {
    case allowed
    case adminOnly
    case adminOrOwner

    func passes(_ caller: Caller, owner: String?) -> Bool {
        switch self {
        case .allowed: return true
        case .adminOnly: return caller.isAdmin
        case .adminOrOwner: return caller.owns(owner)
        }
    }
}

/// One entry of a Neutron attribute map (`neutron_lib/api/definitions/*`).
public struct Attribute: Sendable {
    public var name: String
    public var allowPost = true
    public var allowPut = false
    /// Filled in on POST when absent; nil means "not specified" (the service computes it) unless `required`.
    public var defaultValue: JSON?
    public var required = false
    public var convert: (@Sendable (JSON) throws(NeutronError) -> JSON)?
    public var validate: (@Sendable (JSON) -> String?)?
    /// `enforce_policy`: the attribute adds `rule:<action>:<name>` when explicitly set (§1.6).
    public var enforcePolicy = false
    public var writeRule: Rule = .allowed
    public var readRule: Rule = .allowed

    public init(
        _ name: String, post: Bool = true, put: Bool = false, required: Bool = false, default defaultValue: JSON? = nil,
        convert: (@Sendable (JSON) throws(NeutronError) -> JSON)? = nil, validate: (@Sendable (JSON) -> String?)? = nil,
        enforcePolicy: Bool = false, write: Rule = .allowed, read: Rule = .allowed
    ) {
        self.name = name
        self.allowPost = post
        self.allowPut = put
        self.defaultValue = defaultValue
        self.required = required
        self.convert = convert
        self.validate = validate
        self.enforcePolicy = enforcePolicy
        self.writeRule = write
        self.readRule = read
    }

    public var isRequired: Bool { allowPost && required }
}

/// A Neutron resource: its envelope names, attribute map and policy rules.
public struct ResourceSchema: Sendable {
    public var resource: String
    public var collection: String
    /// The name used in policy rules: `create_<policyName>`, `get_<policyName>:project_id`.
    public var policyName: String
    public var attributes: [Attribute]
    public var createRule: Rule = .adminOrOwner
    public var getRule: Rule = .adminOrOwner
    public var updateRule: Rule = .adminOrOwner
    public var deleteRule: Rule = .adminOrOwner
    /// Whether non-admins see `project_id`/`tenant_id` (hidden for bgpvpns and associations, §1.4).
    public var projectReadRule: Rule = .allowed
    public var notFound: @Sendable (String) -> NeutronError

    public func attribute(_ name: String) -> Attribute? { attributes.first { $0.name == name } }

    /// The project attributes every resource has (§1.4): a string of at most 255 characters.
    static let projectAttributes = [
        Attribute("tenant_id", validate: Validators.string(maxLength: 255), enforcePolicy: true),
        Attribute("project_id", validate: Validators.string(maxLength: 255)),
    ]
}

/// What the request-body pipeline produced.
public struct PreparedBody: Sendable {
    /// Every attribute of the resource after defaults (POST) or only the given ones (PUT).
    public var attributes: JSONObject
    /// Names present in the request (project fields included when given or filled).
    public var explicit: [String]
}

extension ResourceSchema {
    /// The request-body pipeline of `prepare_request_body`, in Neutron's order (bgpvpn-api.md §1.2).
    public func prepare(body: [UInt8], isCreate: Bool, caller: Caller) throws(NeutronError) -> PreparedBody {
        // 1. body present and a JSON object
        if body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            throw .badRequest("Resource body required")
        }
        guard let parsed = try? JSON.parse(body), case .object(let top) = parsed else {
            throw .badRequest("Body contains invalid data")
        }
        // 2. envelope
        guard let inner = top[resource] else { throw .badRequest("Unable to find '\(resource)' in request body") }
        guard case .object(var attrs) = inner else {
            throw .badRequest("Object '\(resource)' contains invalid data")
        }
        return try prepare(attributes: &attrs, isCreate: isCreate, caller: caller)
    }

    public func prepare(
        attributes attrs: inout JSONObject, isCreate: Bool, caller: Caller
    ) throws(NeutronError)
        -> PreparedBody
    {
        var explicit = attrs.keys
        // 3. project
        let tenant = attrs["tenant_id"]
        let project = attrs["project_id"]
        if let tenant, let project, tenant != project {
            throw .badRequest("'project_id' and 'tenant_id' do not match")
        }
        if let given = tenant ?? project {
            attrs["tenant_id"] = given
            attrs["project_id"] = given
            if !caller.isAdmin, given != .string(caller.projectID) {
                throw .badRequest(
                    "Specifying 'project_id' other than the authenticated project in request is not allowed for the current user."
                )
            }
        }
        // 4. unknown attributes
        let unknown = attrs.keys.filter { attribute($0) == nil }
        if !unknown.isEmpty { throw .badRequest("Unrecognized attribute(s) '\(unknown.joined(separator: ", "))'") }
        // 5. allow_post / allow_put, required, defaults
        if isCreate {
            for name in attrs.keys where !(attribute(name)!.allowPost) {
                throw .badRequest("Attribute '\(name)' not allowed in POST")
            }
            if attrs["tenant_id"] == nil {
                attrs["tenant_id"] = .string(caller.projectID)
                attrs["project_id"] = .string(caller.projectID)
                explicit.append("tenant_id")
            }
            for a in attributes where attrs[a.name] == nil && a.allowPost {
                if a.required {
                    throw .badRequest("Failed to parse request. Required attribute '\(a.name)' not specified")
                }
                if let d = a.defaultValue { attrs[a.name] = d }
            }
        } else {
            for name in attrs.keys where !(attribute(name)!.allowPut) {
                let shown = name == "project_id" ? "tenant_id" : name
                throw .badRequest("Cannot update read-only attribute \(shown)")
            }
        }
        // 6. converters, then validators
        for a in attributes {
            guard var v = attrs[a.name] else { continue }
            if let convert = a.convert {
                v = try convert(v)
                attrs[a.name] = v
            }
            if let validate = a.validate, let reason = validate(v) {
                throw .invalidAttribute(a.name, reason)
            }
        }
        return PreparedBody(attributes: attrs, explicit: explicit)
    }

    // MARK: Policy (§1.6)

    /// neutron-lib maps list the project attribute first, which orders the sub-rules of policy messages.
    var policyOrder: [Attribute] {
        attributes.filter { $0.name == "tenant_id" } + attributes.filter { $0.name != "tenant_id" }
    }

    /// `create_<r>` then one `<action>:<attr>` per explicitly set `enforce_policy` attribute (value ≠ default).
    public func authorizeCreate(_ body: PreparedBody, caller: Caller) throws(NeutronError) {
        let owner = body.attributes.string("project_id")
        var text = "rule:create_\(policyName)"
        var ok = createRule.passes(caller, owner: owner)
        for a in policyOrder where a.enforcePolicy && body.explicit.contains(a.name) {
            if a.name != "tenant_id", body.attributes[a.name] == a.defaultValue { continue }
            text = "(\(text) and rule:create_\(policyName):\(a.name))"
            ok = ok && a.writeRule.passes(caller, owner: owner)
        }
        if !ok { throw .policy(text) }
    }

    public func authorizeUpdate(_ body: PreparedBody, owner: String?, caller: Caller) throws(NeutronError) {
        var text = "rule:update_\(policyName)"
        var ok = updateRule.passes(caller, owner: owner)
        for a in policyOrder where a.enforcePolicy && body.attributes.has(a.name) {
            text = "(\(text) and rule:update_\(policyName):\(a.name))"
            ok = ok && a.writeRule.passes(caller, owner: owner)
        }
        if !ok { throw .policy(text) }
    }

    public func authorizeDelete(owner: String?, caller: Caller) throws(NeutronError) {
        if !deleteRule.passes(caller, owner: owner) { throw .policy("rule:delete_\(policyName)") }
    }

    // MARK: Views

    /// The response dict: attributes of the map only (so internal keys such as an association's `bgpvpn_id` never
    /// leak, §3.2), minus those the caller may not read, restricted to `fields` when given (§1.5).
    public func view(_ doc: JSONObject, caller: Caller, fields: [String] = []) -> JSONObject {
        var out = JSONObject()
        let owner = doc.string("project_id")
        for a in attributes {
            guard let v = doc[a.name] else { continue }
            if !fields.isEmpty, !fields.contains(a.name) { continue }
            let rule = a.name == "tenant_id" || a.name == "project_id" ? projectReadRule : a.readRule
            if !rule.passes(caller, owner: owner) { continue }
            out[a.name] = v
        }
        return out
    }
}
