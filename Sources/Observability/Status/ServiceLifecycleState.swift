import Synchronization

/// The service's phase (`starting` → `running` → `draining`), shared by the monitors that set it and the
/// endpoints that read it. It only moves forward.
public final class ServiceLifecycleState: Sendable {
    private let value = Atomic<UInt8>(0)

    public init() {}

    public var current: ServiceStatus.State {
        switch value.load(ordering: .acquiring) {
        case 0: .starting
        case 1: .running
        default: .draining
        }
    }

    /// Joined the group (a no-op once draining).
    public func markRunning() {
        _ = value.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing)
    }

    /// Shutdown began: from now on the service is not ready.
    public func markDraining() {
        value.store(2, ordering: .releasing)
    }
}
