import Foundation
import Hummingbird
import Logging
import NIOCore

/// The thin Hummingbird shell: bytes in, `NeutronAPI`, bytes out.
public enum HTTPShell {
    /// Request bodies above this size get a 413 (Neutron's default `max_request_body_size` is 114688).
    static let maxBody = 1 << 20
    static let tokenHeader = HTTPFields.Element.Name("X-Auth-Token")!
    static let requestIDHeader = HTTPFields.Element.Name("x-openstack-request-id")!

    public static func responder(_ api: NeutronAPI, fallbackAuthority: String) -> CallbackResponder<BasicRequestContext>
    {
        CallbackResponder { request, _ in
            let requestID = HTTPFields([
                HTTPFields.Element(name: requestIDHeader, value: "req-" + UUID().uuidString.lowercased())
            ])
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: maxBody)
            } catch {
                return json(
                    413,
                    NeutronError(status: 413, type: "HTTPRequestEntityTooLarge", message: "Request is too large.").body,
                    requestID)
            }
            let r = APIRequest(
                method: request.method.rawValue, path: request.uri.path, query: request.uri.query,
                token: request.headers[tokenHeader], body: Array(body.readableBytesView),
                baseURL: "http://" + (request.head.authority ?? fallbackAuthority))
            let response = await api.handle(r)
            return json(response.status, response.body, requestID)
        }
    }

    static func json(_ status: Int, _ body: JSON?, _ extra: HTTPFields) -> Response {
        var headers = extra
        guard let body else { return Response(status: .init(code: status), headers: headers) }
        headers[.contentType] = "application/json"
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized())))
    }

    /// An application listening on `host:port` (port 0: any free port, reported through `onServerRunning`).
    public static func application(
        api: NeutronAPI, host: String, port: Int, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            responder: responder(api, fallbackAuthority: "\(host):\(port)"),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "bagpipe-server"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

/// `--database` values: `sqlite:PATH` (`sqlite::memory:` for a throwaway store) or `postgres://...`.
public enum StoreFactory {
    public static func open(_ url: String) async throws -> any Store {
        if url.hasPrefix("sqlite:") { return try await SQLiteStore(path: String(url.dropFirst("sqlite:".count))) }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return try await PostgresStore(url: url) }
        throw StoreError.backend("unknown database '\(url)': use sqlite:PATH or postgres://user@host:port/db")
    }
}
