/// Where the service runs (`ENVIRONMENT`). It only picks defaults today: JSON logs in production,
/// the human-readable text form in development.
public enum DeploymentEnvironment: String, Sendable, Equatable, CaseIterable {
    case development
    case production
}
