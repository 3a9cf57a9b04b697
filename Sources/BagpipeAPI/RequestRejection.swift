/// Why an attach or detach body was refused before reaching the ``LocalPortService``; always HTTP 400 (§6.1).
public enum RequestRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// The body is not JSON.
    case notJSON
    /// The body is JSON but not a valid request.
    case invalid(APIError)

    /// The error text the original sends.
    public var httpMessage: String {
        switch self {
        case .notJSON: "No local port details received"
        case .invalid(let e): "API error: \(e.message)"
        }
    }

    public var description: String { httpMessage }
}
