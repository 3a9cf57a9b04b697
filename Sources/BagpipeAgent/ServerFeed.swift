import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// The server's agent feed (docs/server.md "Agent feed"): the host snapshot and the change long poll.
struct ServerFeed: Sendable {
    let caller: JSONCaller
    let host: String

    struct Snapshot: Sendable {
        var revision: Int64
        var ports: [JSON]
    }

    enum PollResult: Sendable {
        /// The changes after the cursor, and where to resume.
        case changes(revision: Int64, count: Int)
        /// 410: the cursor is ahead of the server (its database was reset): take a new snapshot.
        case resyncRequired
    }

    init(client: HTTPClient, serverURL: String, token: String, host: String) {
        caller = JSONCaller(
            client: client, baseURL: serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL,
            headers: [("X-Auth-Token", token)])
        self.host = host
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncodingForPath()
    }

    func snapshot() async throws(AgentHTTPError) -> Snapshot {
        let path = "/v2.0/bagpipe/hosts/\(Self.escape(host))/ports"
        let (status, body) = try await caller.call(.GET, path, timeout: .seconds(30))
        guard status == 200, let revision = body?["revision"]?.intValue, let ports = body?["ports"]?.arrayValue else {
            throw AgentHTTPError(
                request: "GET \(path)", status: status, detail: body?.serialized() ?? "empty body")
        }
        return Snapshot(revision: revision, ports: ports)
    }

    func poll(since: Int64, timeout: Int) async throws(AgentHTTPError) -> PollResult {
        let path = "/v2.0/bagpipe/changes?since=\(since)&host=\(Self.escape(host))&timeout=\(timeout)"
        // The server holds the call up to `timeout` seconds: allow for that plus a margin.
        let (status, body) = try await caller.call(.GET, path, timeout: .seconds(Int64(timeout) + 15))
        if status == 410 { return .resyncRequired }
        guard status == 200, let revision = body?["revision"]?.intValue, let changes = body?["changes"]?.arrayValue
        else {
            throw AgentHTTPError(request: "GET \(path)", status: status, detail: body?.serialized() ?? "empty body")
        }
        return .changes(revision: revision, count: changes.count)
    }
}

extension String {
    /// Percent-encodes everything but RFC 3986 unreserved characters, for a path segment or a query value.
    func addingPercentEncodingForPath() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
