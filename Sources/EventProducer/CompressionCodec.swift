import ArgumentParser

/// librdkafka's `compression.codec` values.
enum CompressionCodec: String, CaseIterable, ExpressibleByArgument, Sendable {
    case none, gzip, snappy, lz4, zstd
}
