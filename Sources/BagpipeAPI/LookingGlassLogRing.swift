import Synchronization

/// The last warnings and errors, newest first, for `/looking-glass/logs` and `summary.warnings_and_errors`
/// (§6.4, the original's `LookingGlassLogHandler`: 100 records at WARNING or above). Thread-safe; a swift-log
/// handler (BagpipeREST's `LookingGlassLogHandler`) feeds it.
public final class LookingGlassLogRing: Sendable {
    public struct Record: Hashable, Sendable {
        /// Python's level name: `WARNING`, `ERROR`, `CRITICAL`.
        public var level: String
        /// `YYYY-MM-DD HH:MM:SS,mmm` local time, as Python's logging formatter writes it.
        public var time: String
        /// The logger's name.
        public var name: String
        /// The message, with `"` turned into `'` as the original did.
        public var message: String

        public init(level: String, time: String, name: String, message: String) {
            self.level = level
            self.time = time
            self.name = name
            self.message = message.replacing("\"", with: "'")
        }

        /// `{level, time, name, message}`; `withName: false` gives the per-object form `{level, time, message}`.
        public func json(withName: Bool = true) -> JSONValue {
            var o: JSONObject = ["level": .string(level), "time": .string(time)]
            if withName { o["name"] = .string(name) }
            o["message"] = .string(message)
            return .object(o)
        }
    }

    public let capacity: Int
    private let records = Mutex<[Record]>([])

    public init(capacity: Int = 100) { self.capacity = capacity }

    public func append(_ record: Record) {
        records.withLock {
            $0.insert(record, at: 0)
            if $0.count > capacity { $0.removeLast($0.count - capacity) }
        }
    }

    /// Newest first.
    public var snapshot: [Record] { records.withLock { $0 } }

    public var count: Int { records.withLock { $0.count } }

    public func removeAll() { records.withLock { $0.removeAll() } }

    /// The `logs` answer.
    public func json(withName: Bool = true) -> JSONValue { .array(snapshot.map { $0.json(withName: withName) }) }
}
