import ArgumentParser
import BGPWire
import BGPWireJSON

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print BGP messages given in hex as JSON.",
        discussion: """
            HEX is one whole message, marker included. With -, standard input holds one message per line \
            (blank lines and lines starting with # are skipped). A malformed message makes the exit status 1 and \
            prints 'malformed: <RFC 7606 action>: <reason>' on standard error; a message that still decodes \
            (treat-as-withdraw, attribute-discard) is printed too, with its errors under "rfc7606".
            """)

    @Argument(help: "A message in hex, or - to read one per line from standard input.")
    var hex: String

    @OptionGroup var session: SessionOptions

    @Flag(help: "Indent the JSON.")
    var pretty = false

    func run() throws {
        let options = try session.decodingOptions()
        let inputs: [(line: Int?, text: String)]
        if hex == "-" {
            inputs = readStandardInput().split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                .compactMap {
                    let t = $0.element.trimmingSpaces
                    return t.isEmpty || t.hasPrefix("#") ? nil : ($0.offset + 1, String(t))
                }
        } else {
            inputs = [(nil, hex)]
        }
        var failed = false
        for (line, text) in inputs {
            let at = line.map { " (line \($0))" } ?? ""
            guard let bytes = Hex.decode(text) else {
                printError("malformed: input: not hex\(at)")
                failed = true
                continue
            }
            let outcome = DecodeOutcome(bytes: bytes, options: options)
            if let json = outcome.json { print(json.text(pretty: pretty)) }
            if let problem = outcome.problem {
                printError("malformed: \(problem)\(at)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}

/// One message's decoding, as the tools report it.
struct DecodeOutcome {
    var json: JSON?
    /// `<action>: <reason>` for the strongest problem, nil when clean.
    var problem: String?

    init(bytes: [UInt8], options: DecodingOptions) {
        do {
            let decoded = try BGPMessage.decode(bytes, options: options)
            var json = decoded.message.json
            if !decoded.errors.isEmpty, case .object(var members) = json {
                members["rfc7606"] = .array(
                    decoded.errors.map { e in
                        .object(
                            [("action", .string(e.action.label)), ("reason", .string(e.reason))]
                                + (e.attributeType.map { [("attribute", .string(PathAttribute.TypeCode.name($0)))] }
                                    ?? []))
                    })
                json = .object(members)
            }
            self.json = json
            if let strongest = decoded.strongestError {
                if strongest.action == .attributeDiscard {
                    let names = decoded.errors.compactMap { $0.attributeType.map(PathAttribute.TypeCode.name) }
                    problem =
                        "attribute-discard: discarded \(names.joined(separator: ", ")): "
                        + decoded.errors.map(\.reason).joined(separator: "; ")
                } else {
                    problem = strongest.description
                }
            }
        } catch {
            problem = error.description
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let s = self[...]
        guard let first = s.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = s.lastIndex(where: { !$0.isWhitespace })!
        return Substring(s[first...last])
    }
}
