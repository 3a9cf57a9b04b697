#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `YYYY-MM-DD HH:MM:SS` (and `,mmm` with milliseconds) in local time: the original's `start_time` and Python
/// logging's `asctime`.
public func formatLocalTime(_ secondsSinceEpoch: Double, milliseconds: Bool = false) -> String {
    var t = time_t(secondsSinceEpoch.rounded(.down))
    var parts = tm()
    localtime_r(&t, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    var s = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) "
    s += "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    if milliseconds {
        let ms = Int((secondsSinceEpoch - secondsSinceEpoch.rounded(.down)) * 1000)
        s += "," + String(repeating: "0", count: ms < 10 ? 2 : ms < 100 ? 1 : 0) + "\(ms)"
    }
    return s
}
