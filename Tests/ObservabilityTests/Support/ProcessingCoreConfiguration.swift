import ProcessingCore

/// `ServiceConfiguration`, named apart from Testing's own `Configuration` types.
typealias ProcessingCoreConfiguration = ServiceConfiguration
