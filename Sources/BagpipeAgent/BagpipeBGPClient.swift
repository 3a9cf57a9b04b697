import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The local bagpipe-bgp's REST API (bagpipe-bgp.md §6.1-§6.3): `GET /ping`, `POST /attach_localport`,
/// `POST /detach_localport`.
struct BagpipeBGPClient: Sendable {
    let caller: JSONCaller

    init(client: HTTPClient, url: String) {
        caller = JSONCaller(client: client, baseURL: url.hasSuffix("/") ? String(url.dropLast()) : url, headers: [])
    }

    /// The number bagpipe-bgp picked at start; a new one means it restarted. Kept as text: it may not fit 64 bits.
    func ping() async throws(AgentHTTPError) -> String {
        // Parsed by hand: the original sends a small integer, ours a 128-bit one, which JSON decoders round.
        let (status, text) = try await caller.text(.GET, "/ping", timeout: .seconds(5))
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 200, !value.isEmpty, value.allSatisfy({ $0.isNumber || $0 == "-" }) else {
            throw AgentHTTPError(request: "GET /ping", status: status, detail: text)
        }
        return value
    }

    enum Outcome: Sendable, Equatable {
        case done
        /// bagpipe-bgp refused the body (4xx): retrying the same body gives the same answer until something changes.
        case refused(String)
    }

    func perform(_ action: AgentState.Action) async throws(AgentHTTPError) -> Outcome {
        let (status, body) = try await caller.call(.POST, "/" + action.path, body: action.body, timeout: .seconds(30))
        switch status {
        case 200..<300: return .done
        case 400..<500: return .refused("HTTP \(status): \(body?.serialized() ?? "")")
        default:
            throw AgentHTTPError(request: "POST /\(action.path)", status: status, detail: body?.serialized() ?? "")
        }
    }
}
