import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A failed call to the server or to bagpipe-bgp, with what was asked and what came back.
public struct AgentHTTPError: Error, CustomStringConvertible, Sendable {
    public var request: String
    /// nil when no answer came (connection refused, timeout).
    public var status: Int?
    public var detail: String

    public var description: String {
        if let status { "\(request): HTTP \(status): \(detail)" } else { "\(request): \(detail)" }
    }
}

/// The few JSON calls the agent makes, over one shared `HTTPClient`.
struct JSONCaller: Sendable {
    let client: HTTPClient
    let baseURL: String
    let headers: [(String, String)]

    /// Answers the status and the body as text.
    func text(
        _ method: HTTPMethod, _ path: String, timeout: TimeAmount
    ) async throws(AgentHTTPError) -> (
        status: Int, text: String
    ) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "bagpipe-agent")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        do {
            let response = try await client.execute(request, timeout: timeout)
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        } catch {
            throw AgentHTTPError(request: "\(method.rawValue) \(baseURL)\(path)", status: nil, detail: "\(error)")
        }
    }

    /// Answers the status and the decoded body (nil when empty). Any answer is returned; only transport and
    /// decoding failures throw.
    func call(
        _ method: HTTPMethod, _ path: String, body: JSON? = nil, timeout: TimeAmount
    ) async throws(AgentHTTPError) -> (status: Int, body: JSON?) {
        let what = "\(method.rawValue) \(baseURL)\(path)"
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "bagpipe-agent")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.serialized()))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw AgentHTTPError(request: what, status: nil, detail: "\(error)")
        }
        guard bytes.readableBytes > 0 else { return (status, nil) }
        do {
            return (status, try JSON.parse(bytes.readableBytesView))
        } catch {
            // bagpipe-bgp's errors are JSON, but a proxy's may not be: keep the text for the log.
            if (200..<300).contains(status) {
                throw AgentHTTPError(request: what, status: status, detail: "invalid JSON: \(String(buffer: bytes))")
            }
            return (status, .string(String(buffer: bytes)))
        }
    }
}
