import ArgumentParser
import BGPWire
import BGPWireJSON

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read messages as JSON (one per line, as decode prints them) and print their hex.",
        discussion: "Bad JSON makes the exit status 1 with the path of the member at fault on standard error.")

    @Flag(name: .customLong("as2"), help: "Write 2-octet AS numbers in AS_PATH and AGGREGATOR.")
    var twoOctetAS = false

    @Flag(name: .customLong("lowercase"), help: "Print hex in lower case.")
    var lowercase = false

    func run() throws {
        let options = EncodingOptions(fourOctetAS: !twoOctetAS)
        let text = readStandardInput()
        var failed = false
        // One JSON value per line, or a single (possibly indented) document.
        let documents: [(Int?, String)]
        if let whole = try? JSON.parse(text), case .object = whole {
            documents = [(nil, text)]
        } else {
            documents = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
                let t = $0.element.trimmingSpaces
                return t.isEmpty ? nil : ($0.offset + 1, String(t))
            }
        }
        for (line, doc) in documents {
            let at = line.map { "line \($0): " } ?? ""
            do {
                let message = try BGPMessage(json: try JSON.parse(doc))
                print(Hex.encode(message.encode(options: options), uppercase: !lowercase))
            } catch {
                printError("invalid: \(at)\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
