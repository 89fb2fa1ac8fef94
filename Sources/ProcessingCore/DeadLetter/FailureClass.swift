/// Why a message could not be processed, as written to the `dlq.error.class` header.
///
/// Permanent classes (the message itself is bad) go to the dead-letter topic at once; a processing
/// failure goes there only after every attempt failed.
public struct FailureClass: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var name: String

    public init(_ name: String) { self.name = name }
    public init(stringLiteral value: String) { self.name = value }

    public var description: String { name }

    /// The record's value is null (a tombstone).
    public static let tombstone: FailureClass = "tombstone"
    /// The processor failed on every attempt.
    public static let processingFailed: FailureClass = "processing_failed"
    /// The processor threw `PermanentProcessingError`: retrying could not help.
    public static let processingRejected: FailureClass = "processing_rejected"
    // Decoding failures use the decoder's own classes (invalid_json, missing_field, invalid_timestamp, ...).
}
