/// A benchmark set-up or run failure, with a message for the operator.
struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
