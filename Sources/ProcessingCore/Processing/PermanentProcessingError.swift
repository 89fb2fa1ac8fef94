/// Thrown by an `EventProcessor` to say that retrying cannot help (the event itself is unacceptable):
/// the event is dead-lettered at once instead of being retried.
public struct PermanentProcessingError: Error, CustomStringConvertible {
    public var reason: String
    public var underlying: (any Error)?

    public init(_ reason: String, underlying: (any Error)? = nil) {
        self.reason = reason
        self.underlying = underlying
    }

    public var description: String {
        underlying.map { "\(reason): \($0)" } ?? reason
    }
}
