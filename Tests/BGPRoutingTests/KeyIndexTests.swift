import SeededRandom
import Testing

@testable import BGPRouting

@Suite("Key index")
struct KeyIndexTests {
    @Test("Random inserts and removals agree with a dictionary, and freed slots are reused")
    func agreesWithDictionary() {
        var index = KeyIndex<UInt32>()
        var model: [UInt32: Int32] = [:]
        var rng = SplitMix64(seed: 42)
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
