// `--originate FILE`: routes to originate at start-up, one UPDATE per line in bagpipe-wire's JSON form. The JSON
// layer stays out of the speaker library; only the daemon reads it.
import BGPWire
import BGPWireJSON

enum OriginateFile {
    struct LineError: Error, CustomStringConvertible {
        var description: String
    }

    /// The UPDATEs of the file; blank lines and lines starting with `#` are skipped. Errors name the line.
    static func read(_ path: String) throws -> [UpdateMessage] {
        let text = try TextFile.read(path)
        var updates: [UpdateMessage] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do throws(JSONError) {
                let message = try BGPMessage(json: try JSON.parse(String(trimmed)))
                guard case .update(let update) = message else {
                    throw JSONError("type", "\(message.type) is not an UPDATE")
                }
                updates.append(update)
            } catch {
                throw LineError(description: "\(path) line \(index + 1): \(error)")
            }
        }
        return updates
    }
}
