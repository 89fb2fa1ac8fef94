import ServiceLifecycle

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// `service`, named in service-lifecycle's log lines by its type (`KafkaConsumerService`).
    ///
    /// Why not the default: it names a service `"\(service)"`, which for a type that is not
    /// `CustomStringConvertible` prints the whole value through reflection — the consumer, the pipeline and
    /// the logger in every `sl-service` log line — and spends ~5 ms of start-up CPU (perf) looking up
    /// protocol conformances across this large binary to do it.
    public static func named(_ service: any Service) -> Self {
        Self(service: service, serviceName: String(describing: type(of: service)))
    }
}
