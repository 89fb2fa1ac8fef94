// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "processing-service",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "processing-service", targets: ["ProcessingService"]),
        .executable(name: "mock-kafka", targets: ["MockKafka"]),
        .executable(name: "event-producer", targets: ["EventProducer"]),
        .executable(name: "consumer-benchmark", targets: ["ConsumerBenchmark"]),
        .executable(name: "decode-benchmark", targets: ["DecodeBenchmark"]),
        .executable(name: "decode-microbenchmark", targets: ["DecodeMicrobenchmark"]),
        .executable(name: "sink-benchmark", targets: ["SinkBenchmark"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "EventModel", targets: ["EventModel"]),
        .library(name: "ProcessingCore", targets: ["ProcessingCore"]),
        .library(name: "EventSinks", targets: ["EventSinks"]),
        .library(name: "Observability", targets: ["Observability"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/google/swift-benchmark", from: "0.1.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // EventSinks: PostgreSQL (postgres-nio, on SwiftNIO, TLS through NIOSSL) and SQLite (GRDB, system SQLite).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // Observability (issue 13): the HTTP server and the Prometheus exposition.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // librdkafka 2.0.2 from Debian (librdkafka-dev), consumer/producer and mock-cluster headers.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // Swift wrapper over librdkafka: owns every handle and message lifetime, polls on dedicated threads.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // librdkafka's in-process mock cluster, for `mock-kafka` and tests only (not part of `Kafka`).
        .target(name: "KafkaMockCluster", dependencies: ["Kafka", "CRdKafka"]),
        // 16-bytes-at-a-time string scanning (SSE2/NEON) for EventModel's decoder; header-only, inlined.
        .target(name: "CEventJSON"),
        // glibc's mallopt for ProcessingCore's AllocatorTuning; header-only.
        .target(name: "CMallocOptions"),
        // The EnrichedEvent schema and its fast validating decoder.
        .target(name: "EventModel", dependencies: ["CEventJSON"]),
        // Tooling around EventModel, not used by the service: the synthetic event generator (event-producer,
        // tests, benchmarks) and the Foundation reference decoder (differential tests, decode benchmarks).
        .target(name: "EventModelTesting", dependencies: ["EventModel"]),
        // Configuration, logging, retry policy, offset tracking, processing pipeline, dead letters.
        .target(
            name: "ProcessingCore",
            dependencies: [
                "Kafka",
                "EventModel",
                "CMallocOptions",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // Deque: the processing executor's job queue.
                .product(name: "DequeModule", package: "swift-collections"),
                // The sink stage's counters and timer (SinkMetrics).
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // The stores behind SINK=postgres|sqlite|files: EventSink implementations for the sink stage in
        // ProcessingCore/Sinks. A target of its own so that ProcessingCore builds without postgres-nio and GRDB.
        .target(
            name: "EventSinks",
            dependencies: [
                "ProcessingCore",
                "EventModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // `processing-service dlq replay`: re-publishes dead letters (the service itself never runs it).
        .target(
            name: "DeadLetterReplay",
            dependencies: [
                "Kafka",
                "ProcessingCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Health, readiness, Prometheus metrics, lag, the status JSON and page, progress logs (issue 13):
        // the HTTP server on Hummingbird, kept out of ProcessingCore so the pipeline does not depend on it.
        .target(
            name: "Observability",
            dependencies: [
                "Kafka",
                "ProcessingCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The swift-metrics API: other parts' metrics reach /metrics through DescribedMetricsFactory.
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "ProcessingService",
            dependencies: [
                "Kafka",
                "ProcessingCore",
                "EventSinks",
                "Observability",
                "DeadLetterReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A real Kafka-protocol test broker: librdkafka's mock cluster in its own process.
        .executableTarget(
            name: "MockKafka",
            dependencies: [
                "Kafka",
                "KafkaMockCluster",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Publishes synthetic EnrichedEvents (quick start, tests, benchmark).
        .executableTarget(
            name: "EventProducer",
            dependencies: [
                "Kafka",
                "EventModel",
                "EventModelTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // End-to-end throughput benchmark (issue 4): a raw librdkafka loop against the service, one command.
        .executableTarget(
            name: "ConsumerBenchmark",
            dependencies: [
                "CRdKafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/ConsumerBenchmark"
        ),
        // Decode-only micro-benchmark (issue 4): EnrichedEventDecoder against Foundation's JSONDecoder.
        .executableTarget(
            name: "DecodeBenchmark",
            dependencies: [
                "EventModel",
                "EventModelTesting",
                "Kafka",
                "ProcessingCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/DecodeBenchmark"
        ),
        // The decode-only micro-benchmark on google/swift-benchmark (see its main.swift).
        .executableTarget(
            name: "DecodeMicrobenchmark",
            dependencies: ["EventModel", "EventModelTesting", .product(name: "Benchmark", package: "swift-benchmark")],
            path: "Benchmarks/DecodeMicrobenchmark"
        ),
        // Sink throughput (issue 14): synthetic events through an EventSink in batches (scripts/benchmark.sh --sink).
        .executableTarget(
            name: "SinkBenchmark",
            dependencies: [
                "EventSinks",
                "ProcessingCore",
                "EventModel",
                "Kafka",
                // Its throwaway PostgreSQL server and synthetic events.
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/SinkBenchmark"
        ),
        // Helpers shared by the test targets: starting the mock broker process, locating built tools.
        .target(
            name: "TestSupport",
            dependencies: [
                // EventModelTesting: SampleEvents (synthetic events for the sink tests and benchmark).
                "Kafka", "EventModel", "EventModelTesting",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: [
                "Kafka", "KafkaMockCluster", "CRdKafka", "TestSupport", "MockKafka",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .testTarget(name: "EventModelTests", dependencies: ["EventModel", "EventModelTesting"]),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: [
                "Observability", "ProcessingCore", "Kafka", "TestSupport",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ProcessingCoreTests", dependencies: ["ProcessingCore", "DeadLetterReplay", "EventModelTesting", "TestSupport", "CMallocOptions"]),
        .testTarget(name: "EventSinksTests", dependencies: ["EventSinks", "ProcessingCore", "TestSupport"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "ProcessingCore", "DeadLetterReplay", "EventModelTesting", "TestSupport", "ProcessingService", "MockKafka",
                "EventProducer", "Observability",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Static checks of Dockerfile, docker-compose.yml, README, env.example and scripts (no Docker here).
        .testTarget(name: "PackagingTests", dependencies: ["TestSupport"]),
    ]
)
