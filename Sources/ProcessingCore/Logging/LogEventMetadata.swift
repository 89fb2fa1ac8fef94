import Logging

/// The metadata one log line carries, merged as swift-log specifies: the handler's own metadata, then
/// the metadata provider's (task-local context), then the log call's, later ones winning. An attached
/// error (`LogEvent.error`) is added under `error` unless the call already set that key.
enum LogEventMetadata {
    static func merged(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: LogEvent
    ) -> Logger.Metadata {
        // The common case (a plain logger, metadata only at the call site) needs no new dictionary:
        // building one re-hashes every key, which was the largest cost of a log line when measured.
        if handler.isEmpty, provider == nil, event.error == nil {
            return event.metadata ?? [:]
        }
        var merged = handler
        if let provided = provider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            merged.merge(explicit) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        return merged
    }
}
