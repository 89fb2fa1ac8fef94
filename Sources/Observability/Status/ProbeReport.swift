/// The answer of `/healthz` or `/readyz`: every check with its state, and whether all passed (HTTP 200)
/// or not (503).
public struct ProbeReport: Sendable, Codable, Equatable {
    /// One condition and whether it holds, with a short reason a person can act on.
    public struct Check: Sendable, Codable, Equatable {
        public var name: String
        public var ok: Bool
        public var detail: String

        public init(name: String, ok: Bool, detail: String) {
            self.name = name
            self.ok = ok
            self.detail = detail
        }
    }

    /// `ok` when every check passed, else `failing`.
    public var status: String
    public var checks: [Check]

    public init(checks: [Check]) {
        self.checks = checks
        self.status = checks.allSatisfy(\.ok) ? "ok" : "failing"
    }

    public var isOK: Bool { status == "ok" }
}
