import Testing

@testable import ProcessingCore

@Suite("SinkConfiguration: SINK and the stores' settings, DATABASE_URL")
struct SinkConfigurationTests {
    static func load(_ environment: [String: String]) throws(ConfigurationError) -> SinkConfiguration {
        try ServiceConfiguration.load(onlyFrom: environment).sink
    }

    /// The problems loading reports, as `setting: problem` lines.
    static func problems(_ environment: [String: String]) -> [String] {
        do {
            _ = try load(environment)
            return []
        } catch {
            return error.issues.map { "\($0.setting): \($0.problem)" }
        }
    }

    @Test("defaults: SINK=log, ./events.sqlite, ./events, table events, 1000 events or 200 ms")
    func defaults() throws {
        let sink = try Self.load([:])
        #expect(sink == .defaults)
        #expect(sink.kind == .log)
        #expect(sink.sqlitePath == "./events.sqlite")
        #expect(sink.filesDirectory == "./events")
        #expect(sink.table == "events")
        #expect(sink.batchSize == 1000)
        #expect(sink.batchTimeout == .milliseconds(200))
        #expect(sink.databaseURL == nil)
    }

    @Test("every variable is read")
    func everyVariable() throws {
        let sink = try Self.load([
            "SINK": "postgres", "DATABASE_URL": "postgres://svc:s3cret@db.internal:6543/analytics?sslmode=require",
            "SQLITE_PATH": "/var/lib/events.db", "FILES_DIR": "/data/events", "SINK_TABLE": "user_events",
            "SINK_BATCH_SIZE": "250", "SINK_BATCH_TIMEOUT": "1s",
        ])
        #expect(sink.kind == .postgres)
        #expect(
            sink.databaseURL
                == DatabaseURL(user: "svc", password: "s3cret", host: "db.internal", port: 6543, database: "analytics", tlsMode: .require))
        #expect(sink.sqlitePath == "/var/lib/events.db")
        #expect(sink.filesDirectory == "/data/events")
        #expect(sink.table == "user_events")
        #expect(sink.batchSize == 250)
        #expect(sink.batchTimeout == .seconds(1))
    }

    @Test("bad values are reported naming the variable, and a DATABASE_URL's password is never echoed")
    func badValues() {
        let problems = Self.problems([
            "SINK": "mongodb", "SINK_BATCH_SIZE": "0", "SINK_BATCH_TIMEOUT": "-1", "SINK_TABLE": "events; DROP TABLE x",
            "DATABASE_URL": "mysql://root:hunter2@db/x",
        ])
        #expect(problems.contains { $0.hasPrefix("SINK: \"mongodb\" is not one of log, postgres, sqlite, files") })
        #expect(problems.contains { $0.hasPrefix("SINK_BATCH_SIZE:") })
        #expect(problems.contains { $0.hasPrefix("SINK_BATCH_TIMEOUT:") })
        #expect(problems.contains { $0.hasPrefix("SINK_TABLE:") })
        #expect(problems.contains { $0.hasPrefix("DATABASE_URL: has scheme \"mysql\"") })
        #expect(!problems.joined().contains("hunter2"))
    }

    @Test("SINK=postgres needs DATABASE_URL")
    func postgresNeedsURL() {
        #expect(Self.problems(["SINK": "postgres"]).contains { $0.hasPrefix("DATABASE_URL: is required when SINK=postgres") })
    }

    @Test("DATABASE_URL: libpq's forms, percent-decoding, the default port and sslmode, a socket directory")
    func databaseURLForms() throws {
        let plain = try DatabaseURL(parsing: "postgresql://app@localhost/events")
        #expect(plain == DatabaseURL(user: "app", password: nil, host: "localhost", port: 5432, database: "events", tlsMode: .prefer))
        let encoded = try DatabaseURL(parsing: "postgres://app%40corp:p%3Ass%2Fw@10.0.0.5:5433/db?sslmode=verify-full")
        #expect(encoded.user == "app@corp")
        #expect(encoded.password == "p:ss/w")
        #expect(encoded.port == 5433)
        #expect(encoded.tlsMode == .verifyFull)
        let socket = try DatabaseURL(parsing: "postgres://postgres@/db?host=/run/postgresql")
        #expect(socket.unixSocketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(socket.host == nil)
    }

    @Test("DATABASE_URL problems say what is wrong without the password; the description hides it")
    func databaseURLProblems() {
        for (text, problem) in [
            ("not a url", "is not a URL"),
            ("postgres://db.internal/x", "names no user"),
            ("postgres://u:pw@db.internal", "names no database"),
            ("postgres://u:pw@db.internal/x?sslmode=always", "has sslmode=always"),
            ("postgres://u:pw@db.internal/x?application_name=y", "unknown parameter"),
            ("postgres://u:pw@:5432/x", "names no host"),
        ] {
            do {
                _ = try DatabaseURL(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.problem.contains(problem), "\(text): \(error.problem)")
                #expect(!error.problem.contains("pw"))
            }
        }
        let url = DatabaseURL(user: "svc", password: "s3cret", host: "db", port: 5432, database: "x")
        #expect(url.description == "postgres://svc:***@db:5432/x?sslmode=prefer")
    }
}

extension SinkConfigurationTests {
    @Test("the start-up line shows the sink and where it stores, never the database password")
    func startupLine() throws {
        let configuration = try ServiceConfiguration.load(
            commandLine: .init(), environment: ["SINK": "postgres", "DATABASE_URL": "postgres://svc:s3cret@db:5432/x"],
            environmentFilePath: nil)
        let line = configuration.description
        #expect(line.contains("sink=postgres"))
        #expect(line.contains("database_url=postgres://svc:***@db:5432/x?sslmode=prefer"))
        #expect(line.contains("sink_batch_size=1000"))
        #expect(!line.contains("s3cret"))
        #expect(try ServiceConfiguration.load(commandLine: .init(), environment: [:], environmentFilePath: nil).description.contains("sink=log"))
    }
}
