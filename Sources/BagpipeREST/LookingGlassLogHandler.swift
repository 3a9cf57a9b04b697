import BagpipeAPI
import Foundation
import Logging

/// A swift-log handler that keeps WARNING and above in a ``LookingGlassLogRing`` (§6.4, the original's catch-all
/// handler on the root logger). Combine it with the console handler through `MultiplexLogHandler`.
public struct LookingGlassLogHandler: LogHandler {
    public let label: String
    public let ring: LookingGlassLogRing
    public var metadata: Logger.Metadata = [:]
    /// What reaches the ring; records below warning never do.
    public var logLevel: Logger.Level = .warning

    public init(label: String, ring: LookingGlassLogRing) {
        self.label = label
        self.ring = ring
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        guard event.level >= .warning else { return }
        let name: String =
            switch event.level {
            case .warning: "WARNING"
            case .error: "ERROR"
            default: "CRITICAL"
            }
        ring.append(
            LookingGlassLogRing.Record(
                level: name, time: formatLocalTime(Date().timeIntervalSince1970, milliseconds: true), name: label,
                message: event.message.description))
    }
}
