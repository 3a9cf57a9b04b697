/// The body of an error response as the original server (pecan over WebOb) writes it (§6.1), so clients that
/// show error bodies see the same text. The format follows the request's `Accept` header: pecan answers JSON
/// `{"code", "title", "description"}` when JSON is the best of text/plain, text/html and application/json; else
/// WebOb writes an HTML page when HTML is acceptable, and plain text otherwise (also when there is no `Accept`).
public struct ErrorPage: Hashable, Sendable {
    public var status: Int
    public var contentType: String
    public var body: String

    /// - Parameters:
    ///   - detail: the message (nil for the bare 404/405 pages).
    ///   - method: the request method, which the 405 page names.
    public init(status: Int, detail: String?, method: String, accept: String?) {
        self.status = status
        let (title, explanation) = Self.texts(status: status, method: method)
        let statusLine = "\(status) \(title)"
        let pecanAccept = (accept?.isEmpty ?? true) ? "*/*" : accept!
        if Self.best(["text/plain", "text/html", "application/json"], accept: pecanAccept) == "application/json" {
            contentType = "application/json"
            body =
                JSONValue.object([
                    "code": .int(Int64(status)), "title": .string(title),
                    "description": detail.map { .string($0) } ?? .null,
                ]).jsonText
            return
        }
        // WebOb's body template: the 405 page has no blank lines after the detail.
        let tail = status == 405 ? "" : "\n\n"
        let webobBest = (accept?.isEmpty ?? true) ? nil : Self.best(["text/html", "application/json"], accept: accept!)
        switch webobBest {
        case "text/html":
            contentType = "text/html; charset=UTF-8"
            let html = explanation + "<br /><br />\n" + Self.escapeHTML(detail ?? "") + tail
            body =
                "<html>\n <head>\n  <title>\(statusLine)</title>\n </head>\n <body>\n  <h1>\(statusLine)</h1>\n  "
                + html + "\n </body>\n</html>"
        case "application/json":
            contentType = "application/json"
            body =
                JSONValue.object([
                    "message": .string(explanation + "<br /><br />\n" + (detail ?? "") + tail),
                    "code": .string(statusLine), "title": .string(title),
                ]).jsonText
        default:
            // The HTML template with tags stripped: newlines become spaces, each <br /> a newline.
            contentType = "text/plain; charset=UTF-8"
            body = statusLine + "\n\n" + explanation + "\n\n " + (detail ?? "") + (status == 405 ? "" : "  ")
        }
    }

    static func texts(status: Int, method: String) -> (title: String, explanation: String) {
        switch status {
        case 400:
            (
                "Bad Request",
                "The server could not comply with the request since it is either malformed or otherwise incorrect."
            )
        case 404: ("Not Found", "The resource could not be found.")
        case 405: ("Method Not Allowed", "The method \(method) is not allowed for this resource. ")
        case 413: ("Request Entity Too Large", "The body of your request was too large for this server.")
        default:
            (
                "Internal Server Error",
                "The server has either erred or is incapable of performing the requested operation."
            )
        }
    }

    static func escapeHTML(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
            .replacing("\"", with: "&#34;").replacing("'", with: "&#39;")
    }

    /// The acceptable offer with the highest quality (the first offer on a tie), as WebOb's
    /// `acceptable_offers` ranks them; each offer takes the quality of the most specific matching range.
    static func best(_ offers: [String], accept: String) -> String? {
        var ranges: [(type: String, subtype: String, q: Double)] = []
        for item in accept.split(separator: ",") {
            let params = item.split(separator: ";").map { $0.trimmingSpaces }
            let media = params.first?.lowercased() ?? ""
            let mt = media.split(separator: "/", omittingEmptySubsequences: false)
            guard mt.count == 2 else { continue }
            var q = 1.0
            for p in params.dropFirst() where p.lowercased().hasPrefix("q=") { q = Double(p.dropFirst(2)) ?? 0 }
            ranges.append((String(mt[0]), String(mt[1]), q))
        }
        var bestOffer: String?
        var bestQ = 0.0
        for offer in offers {
            let ot = offer.split(separator: "/").map(String.init)
            var specificity = -1
            var q = 0.0
            for r in ranges {
                let s: Int
                if r.type == ot[0] && r.subtype == ot[1] {
                    s = 2
                } else if r.type == ot[0] && r.subtype == "*" {
                    s = 1
                } else if r.type == "*" && r.subtype == "*" {
                    s = 0
                } else {
                    continue
                }
                if s > specificity { (specificity, q) = (s, r.q) }
            }
            if specificity >= 0, q > bestQ { (bestOffer, bestQ) = (offer, q) }
        }
        return bestOffer
    }
}

extension Substring {
    var trimmingSpaces: String { String(self).trimmingSpaces }
}
