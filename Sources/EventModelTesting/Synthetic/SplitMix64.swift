import EventModel
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast pseudo-random generator whose output depends only on
/// its seed, on every platform and Swift version.
///
/// Written out rather than using `SystemRandomNumberGenerator` (not seedable) or the standard library's
/// `random(in:using:)` (its mapping from generator output to a range is not a documented, stable contract):
/// synthetic data must be byte-for-byte reproducible from a seed so tests and benchmarks can regenerate it.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` (Lemire's multiply-shift; the tiny bias is irrelevant for synthetic data).
    mutating func next(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// True with the given probability (0...1).
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < probability
    }

    mutating func element<T>(of elements: [T]) -> T {
        elements[next(below: elements.count)]
    }
}
