import BagpipeJSON
import SeededRandom

/// Random JSON values from a seed (SplitMix64), for the round-trip properties: every kind of value, strings with
/// escapes, controls, non-ASCII and astral characters, integers at the 64-bit edges, finite doubles.
struct RandomJSON {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func next() -> UInt64 { rng.next() }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    static let characters: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}", "\u{7F}",
        "é", "\u{2028}", "€", "\u{FEFF}", "😀", "\u{10FFFF}",
    ]

    mutating func string() -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<int(0...8) { s.append(Self.characters[int(0...Self.characters.count - 1)]) }
        return String(s)
    }

    mutating func scalar() -> JSONValue {
        switch int(0...9) {
        case 0: return .null
        case 1: return .bool(next() & 1 == 0)
        case 2: return .int([Int64.min, Int64.max, 0, -1][int(0...3)])
        case 3: return .int(Int64(bitPattern: next()))
        case 4: return .uint(UInt64(Int64.max) + 1 + next() % UInt64(Int64.max))
        case 5:
            let d = Double(bitPattern: next())
            return .double(d.isFinite ? d : 0.5)
        case 6: return .double([0.1, -2.5, 1e-5, 1e16, 123_456_789.125, -0.0][int(0...5)])
        default: return .string(string())
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        guard depth < 4 else { return scalar() }
        switch int(0...5) {
        case 0: return .array((0..<int(0...4)).map { _ in value(depth: depth + 1) })
        case 1:
            var o = JSONObject()
            for _ in 0..<int(0...4) { o[string()] = value(depth: depth + 1) }
            return .object(o)
        default: return scalar()
        }
    }
}

/// Equality that also compares object member order (`==` ignores it).
func sameInOrder(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(sameInOrder)
    case (.object(let x), .object(let y)):
        return x.keys == y.keys && x.keys.allSatisfy { sameInOrder(x[$0]!, y[$0]!) }
    case (.double(let x), .double(let y)): return x == y && x.sign == y.sign
    default: return a == b
    }
}
