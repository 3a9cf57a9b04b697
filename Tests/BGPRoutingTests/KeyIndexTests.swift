import Testing

@testable import BGPRouting

@Suite("Key index")
struct KeyIndexTests {
    @Test("Random inserts and removals agree with a dictionary, and freed slots are reused")
    func agreesWithDictionary() {
        var index = KeyIndex<UInt32>()
        var model: [UInt32: Int32] = [:]
        var rng = SplitMix(seed: 42)
        for step in 0..<60_000 {
            // A small key space makes long probe runs and many removals inside them.
            let key = UInt32(rng.next() % 5_000)
            if rng.next() % 3 == 0, let slot = model[key] {
                index.remove(slot: slot)
                model[key] = nil
            } else {
                let (slot, isNew) = index.insert(key)
                #expect(isNew == (model[key] == nil))
                if let old = model[key] { #expect(old == slot) }
                model[key] = slot
            }
            if step % 5_000 == 0 {
                for (k, slot) in model { #expect(index.find(k) == slot) }
            }
        }
        #expect(index.count == model.count)
        for k in UInt32(0)..<5_000 { #expect(index.find(k) == model[k]) }
        #expect(index.slotCount <= 5_000)
    }
}

/// A small deterministic generator, so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
