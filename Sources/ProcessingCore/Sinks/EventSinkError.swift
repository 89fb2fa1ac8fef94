/// Why an ``EventSink`` could not write a batch, and so what the sink stage does next.
public enum EventSinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The store cannot take the batch now (unreachable, restarting, out of space, ...): nothing of it
    /// counts as stored, and the same batch is written again after a backoff. The message is for logs.
    case unavailable(String)
    /// The store refused the batch for its contents, permanently: `message` is the store's own error (for
    /// the dead letter), `eventIndex` the position in the batch of the event it refused, when the store
    /// says (otherwise the stage finds it by splitting the batch).
    case rejected(String, eventIndex: Int?)

    public var description: String {
        switch self {
        case .unavailable(let message): "store unavailable: \(message)"
        case .rejected(let message, let index):
            index.map { "store rejected event \($0) of the batch: \(message)" } ?? "store rejected the batch: \(message)"
        }
    }
}
