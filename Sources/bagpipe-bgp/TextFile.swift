#if canImport(Glibc)
import Glibc
#endif

/// Reading a whole text file without Foundation.
enum TextFile {
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ path: String) throws -> String {
        guard let file = fopen(path, "rb") else { throw ReadError(description: errnoText()) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes += chunk[0..<count] }
            if count < chunk.count {
                if ferror(file) != 0 { throw ReadError(description: errnoText()) }
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func errnoText() -> String {
        let code = errno
        return strerror(code).map { String(cString: $0) } ?? "errno \(code)"
    }
}
