@_exported import BagpipeJSON

// The REST API's JSON is `BagpipeJSON.JSONValue`. Objects keep their key order, because the original's clients
// print looking-glass objects in the order the server sent them (§7.4) and `bagpipe-rest-attach` emits its keys
// in a fixed order (§6.3); equality ignores it. Integers are kept exactly (64-bit); other numbers are doubles.
// Parsing with the default options reads what Python's `json` reads (a BOM, lone surrogates as U+FFFD,
// duplicate keys keep the last value, integers beyond 64 bits become doubles) to 512 levels.

extension JSONValue {
    /// Python truthiness, which the original uses for its optional parameters (`if readvertise:`): null, false,
    /// 0, "", [] and {} are false.
    public var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .uint(let u): u != 0
        case .double(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }
}
