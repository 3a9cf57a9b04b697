import BagpipeAPI
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// bagpipe-bgp's REST API (§6.1) as a Hummingbird responder: `/`, `/ping`, `/attach_localport`,
/// `/detach_localport` and `/looking-glass/...`, with the original's statuses and error texts.
///
/// Bodies are validated before the ``LocalPortService`` is called, so a bad body changes nothing.
public struct BagpipeRESTResponder<Context: RequestContext>: HTTPResponder {
    /// Largest attach/detach body read (larger ones get 413).
    public static var maxBodySize: Int { 1 << 20 }

    let service: any LocalPortService
    let lookingGlass: any LookingGlassNode
    /// `GET /ping`: a random 128-bit number chosen at start; clients detect restarts by seeing it change.
    public let pingValue: UInt128
    let logger: Logger

    public init(
        service: any LocalPortService, lookingGlass: any LookingGlassNode, pingValue: UInt128 = randomPingValue(),
        logger: Logger = Logger(label: "bagpipe.rest")
    ) {
        self.service = service
        self.lookingGlass = lookingGlass
        self.pingValue = pingValue
        self.logger = logger
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let segments = request.uri.path.split(separator: "/")
        let method = request.method
        let isGet = method == .get || method == .head
        switch segments.first {
        case nil:
            return isGet ? json("{}") : error(405, nil, request)
        case "ping" where segments.count == 1:
            return isGet ? json(String(pingValue)) : error(405, nil, request)
        case "attach_localport" where segments.count == 1, "detach_localport" where segments.count == 1:
            let attach = segments[0] == "attach_localport"
            if isGet { return json("{}") }
            guard method == .post else { return error(405, nil, request) }
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: Self.maxBodySize)
            } catch {
                return self.error(413, "The request body is larger than \(Self.maxBodySize) bytes", request)
            }
            return await attach ? self.attach(body, request) : self.detach(body, request)
        case Substring(LookingGlass.base)?:
            guard isGet else { return error(405, nil, request) }
            return await lookingGlass(Array(segments.dropFirst()), request)
        default:
            return error(404, nil, request)
        }
    }

    func attach(_ body: ByteBuffer, _ request: Request) async -> Response {
        let parsed: AttachRequest
        do {
            parsed = try AttachRequest(body: body.readableBytesView)
        } catch {
            logger.warning("attach_localport: \(error.httpMessage)")
            return self.error(400, error.httpMessage, request)
        }
        logger.info("Local port attach received: \(String(buffer: body))")
        do {
            try await service.attach(parsed)
            return json("null")
        } catch let e as APIError {
            logger.warning("attach_localport: API error: \(e.message)")
            return error(400, "API error: \(e.message)", request)
        } catch {
            logger.error("attach_localport: An error occurred during local port plug to VPN: \(error)")
            return self.error(500, "An error occurred during local port plug to VPN", request)
        }
    }

    func detach(_ body: ByteBuffer, _ request: Request) async -> Response {
        let parsed: DetachRequest
        do {
            parsed = try DetachRequest(body: body.readableBytesView)
        } catch {
            logger.warning("detach_localport: \(error.httpMessage)")
            return self.error(400, error.httpMessage, request)
        }
        logger.info("Local port detach received: \(String(buffer: body))")
        do {
            try await service.detach(parsed)
            return json("null")
        } catch let e as APIError {
            logger.warning("detach_localport: API error: \(e.message)")
            return error(400, "API error: \(e.message)", request)
        } catch {
            logger.error("detach_localport: An error occurred during local port unplug from VPN: \(error)")
            return self.error(500, "An error occurred during local port unplug from VPN", request)
        }
    }

    func lookingGlass(_ rawPath: [Substring], _ request: Request) async -> Response {
        // Hrefs point back at the host the client used (§6.4).
        let host = request.head.authority ?? "localhost"
        let prefix = LookingGlass.rootPrefix(scheme: request.head.scheme ?? "http", host: host)
        var path: [String] = []
        for raw in rawPath {
            guard let s = LookingGlass.unquote(raw) else {
                let e = LookingGlassNotFound(path: String(raw), prefix: prefix)
                return error(404, e.description, request)
            }
            path.append(s)
        }
        do {
            // Off the event loop that bagpipe-bgp serves requests on (DaemonServices): a whole table's JSON must
            // not hold up the BGP sessions' keepalives; the services' own parts still run where they live.
            let text = try await withTaskExecutorPreference(globalConcurrentExecutor) {
                try await LookingGlass.resolve(lookingGlass, prefix: prefix, path: path).jsonText
            }
            return json(text)
        } catch let e as LookingGlassNotFound {
            logger.info("looking_glass: \(e.description)")
            return error(404, e.description, request)
        } catch {
            logger.error("looking_glass: an error occurred: \(error)")
            return self.error(500, "Server error", request)
        }
    }

    func json(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func error(_ status: Int, _ detail: String?, _ request: Request) -> Response {
        let page = ErrorPage(
            status: status, detail: detail, method: request.method.rawValue, accept: request.headers[.accept])
        return Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: page.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page.body)))
    }
}

/// A version-4 UUID as an integer, like the original's `int(uuid.uuid4())`.
public func randomPingValue() -> UInt128 {
    var g = SystemRandomNumberGenerator()
    var v = UInt128(g.next() as UInt64) << 64 | UInt128(g.next() as UInt64)
    // Version 4 in bits 76-79, variant 0b10 in bits 62-63 (RFC 9562 §5.4).
    v = v & ~(UInt128(0xF) << 76) | UInt128(4) << 76
    v = v & ~(UInt128(0x3) << 62) | UInt128(2) << 62
    return v
}
