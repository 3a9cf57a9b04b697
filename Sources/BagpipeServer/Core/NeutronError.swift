/// An API error as Neutron serialises it (bgpvpn-api.md §1.3): `{"NeutronError": {type, message, detail}}`.
/// `type` is the name of the Python exception class clients may log; the status follows `faults.py`.
public struct NeutronError: Error, Equatable, Sendable {
    public var status: Int
    public var type: String
    public var message: String
    /// Pecan writes the unwrapped body for some 404s (§1.3); we always wrap, except where noted.
    public var wrapped = true

    public init(status: Int, type: String, message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public var body: JSON {
        let inner: JSON = ["type": .string(type), "message": .string(message), "detail": ""]
        return wrapped ? ["NeutronError": inner] : inner
    }

    // MARK: - Request pipeline (§1.2)

    public static func badRequest(_ message: String) -> NeutronError {
        NeutronError(status: 400, type: "HTTPBadRequest", message: message)
    }
    /// A converter that raises `InvalidInput` (§1.2 step 6).
    public static func invalidInput(_ message: String) -> NeutronError {
        NeutronError(status: 400, type: "InvalidInput", message: "Invalid input for operation: \(message).")
    }
    public static func invalidAttribute(_ attr: String, _ reason: String) -> NeutronError {
        badRequest("Invalid input for \(attr). Reason: \(reason).")
    }
    /// `BadRequest(resource=..., msg=...)` from neutron-lib.
    public static func bad(_ resource: String, _ msg: String) -> NeutronError {
        NeutronError(status: 400, type: "BadRequest", message: "Bad \(resource) request: \(msg).")
    }
    public static func notFound(_ type: String, _ message: String) -> NeutronError {
        NeutronError(status: 404, type: type, message: message)
    }
    public static func conflict(_ type: String, _ message: String) -> NeutronError {
        NeutronError(status: 409, type: type, message: message)
    }
    public static func policy(_ rule: String) -> NeutronError {
        NeutronError(status: 403, type: "PolicyNotAuthorized", message: "\(rule) is disallowed by policy")
    }
    /// Association project mismatch: the plugin's text is dropped by neutron-lib (§3.3 step 5).
    public static let notAuthorized = NeutronError(status: 403, type: "NotAuthorized", message: "Not authorized.")
    public static let unauthenticated = NeutronError(
        status: 401, type: "HTTPUnauthorized", message: "Authentication required")
    public static let resourceNotFound = NeutronError(
        status: 404, type: "HTTPNotFound", message: "The resource could not be found.")
    public static let methodNotAllowed = NeutronError(
        status: 405, type: "HTTPMethodNotAllowed",
        message: "The server could not comply with the request since it is either malformed or otherwise incorrect.")
    public static let internalError = NeutronError(
        status: 500, type: "HTTPInternalServerError",
        message: "Request Failed: internal server error while processing your request.")
}
