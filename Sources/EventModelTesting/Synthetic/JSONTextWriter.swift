import EventModel
/// Appends compact JSON text to a byte buffer. Only what the synthetic generator needs: objects written
/// member by member, strings escaped per RFC 8259, integers and fixed-point decimals.
///
/// Hand-written instead of `JSONEncoder` because the generator feeds benchmarks with hundreds of thousands
/// of events and must control the exact bytes (field order, escapes, number forms) for reproducibility.
struct JSONTextWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma.removeLast()
    }

    /// Writes `"name":` (with a separating comma when needed); follow with exactly one value.
    mutating func key(_ name: String) {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    mutating func member(_ name: String, _ value: Int) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes `units / 10^scale` in plain decimal notation, e.g. (12999, 2) → `129.99`.
    mutating func member(_ name: String, fixedPoint units: Int, scale: Int) {
        key(name)
        var divisor = 1
        for _ in 0..<scale { divisor *= 10 }
        bytes.append(contentsOf: String(units / divisor).utf8)
        let fraction = String(units % divisor)
        bytes.append(UInt8(ascii: "."))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale - fraction.utf8.count))
        bytes.append(contentsOf: fraction.utf8)
    }

    mutating func member(_ name: String, timestamp: EventTimestamp) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        timestamp.appendRFC3339(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
