import BGPWire
import BGPWireJSON

/// One golden vector from `Vectors/*.vectors` (format in Vectors/FORMAT.md).
struct GoldenVector: CustomStringConvertible, Sendable {
    var file: String
    var name: String
    var source: String
    var comments: [String]
    var bytes: [UInt8]
    var options: DecodingOptions
    var tshark: [(field: String, value: String)]
    /// For vectors that are malformed on purpose or by a faulty sender: the RFC 7606 action label we must give.
    var expect: String?

    var description: String { "\(file):\(name)" }
}

enum VectorFiles {
    /// The folder of the vector files, found from this source file (tests run from the package root, but
    /// this does not depend on it).
    static var folder: String {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)  // Support/VectorFile.swift
        return parts.joined(separator: "/") + "/Vectors"
    }

    static func load() -> [GoldenVector] {
        var out: [GoldenVector] = []
        for file in listVectorFiles().sorted() {
            guard let data = readText(folder + "/" + file) else { continue }
            out += parse(data, file: file)
        }
        return out
    }

    static func parse(_ text: String, file: String) -> [GoldenVector] {
        var out: [GoldenVector] = []
        for block in text.split(separator: "\n\n", omittingEmptySubsequences: true) {
            var name = ""
            var source = ""
            var comments: [String] = []
            var hex = ""
            var options = DecodingOptions()
            var tshark: [(String, String)] = []
            var expect: String? = nil
            var inHex = false
            for rawLine in block.split(separator: "\n") {
                let line = String(rawLine)
                if line.hasPrefix("#") {
                    comments.append(line)
                    inHex = false
                } else if inHex, line.first == " " || line.first == "\t" {
                    hex += line.filter { !$0.isWhitespace }
                } else if let v = value(line, "name") {
                    name = v
                    inHex = false
                } else if let v = value(line, "source") {
                    source = v
                    inHex = false
                } else if let v = value(line, "options") {
                    options = parseOptions(v)
                    inHex = false
                } else if let v = value(line, "hex") {
                    hex = v.filter { !$0.isWhitespace }
                    inHex = true
                } else if let v = value(line, "expect") {
                    expect = v
                    inHex = false
                } else if let v = value(line, "tshark") {
                    if let eq = v.firstIndex(of: "=") {
                        tshark.append((String(v[..<eq]), String(v[v.index(after: eq)...])))
                    }
                    inHex = false
                }
            }
            guard !hex.isEmpty, let bytes = Hex.decode(hex) else { continue }
            out.append(
                GoldenVector(
                    file: file, name: name, source: source, comments: comments, bytes: bytes, options: options,
                    tshark: tshark, expect: expect))
        }
        return out
    }

    static func value(_ line: String, _ key: String) -> String? {
        guard line.hasPrefix(key + ":") else { return nil }
        return String(line.dropFirst(key.count + 1)).trimmingCharacters()
    }

    static func parseOptions(_ text: String) -> DecodingOptions {
        var o = DecodingOptions()
        for word in text.split(separator: " ") {
            if word == "as2" { o.fourOctetAS = false }
            if word == "extended-message" { o.extendedMessage = true }
            if word.hasPrefix("max-labels="), let n = Int(word.dropFirst("max-labels=".count)) { o.maximumLabels = n }
            if word == "ibgp" { o.peer = .internal }
            if word == "ebgp" { o.peer = .external }
            if word.hasPrefix("addpath-rx=") {
                for f in word.dropFirst("addpath-rx=".count).split(separator: ",") {
                    if let family = AddressFamily(f) { o.addPathReceive.insert(family) }
                }
            }
        }
        return o
    }
}

extension String {
    func trimmingCharacters() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
