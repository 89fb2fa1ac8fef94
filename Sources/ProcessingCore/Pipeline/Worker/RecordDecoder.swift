import EventModel
import Kafka

/// The first step of handling a record: its value decoded into an `EnrichedEvent` where it is, in the
/// record's arena (no copy of the value or of the record), or the reason it is not an event.
struct RecordDecoder {
    /// Why a record is not an event: its failure class and a message for the dead letter.
    struct InvalidRecord: Error {
        var failure: FailureClass
        var message: String
    }

    private let decoder = EnrichedEventDecoder()

    /// Whether record values carry the padding the decoder needs to read them in place. Both are 32
    /// today; should the decoder ever need more, values are copied again rather than over-read.
    private static let decodesInPlace = KafkaRecord.valuePadding >= EnrichedEventDecoder.requiredPadding

    /// The offset of `records[index]` and its value decoded, into the memory of `recycled` when it can be
    /// reused. The event keeps the record's arena alive.
    @inline(__always)
    func decode(
        _ records: ArraySlice<KafkaRecord>, at index: Int, recycling recycled: inout EnrichedEvent?
    ) -> (offset: Int64, result: Result<EnrichedEvent, InvalidRecord>) {
        // Through a buffer pointer: `records[index]`, even only to read its offset, copied the record
        // (reference counting its storage) for every event.
        records.withUnsafeBufferPointer { buffer in
            let position = index - records.startIndex
            return (buffer[position].offset, decode(buffer[position], recycling: &recycled))
        }
    }

    private func decode(
        _ record: borrowing KafkaRecord, recycling recycled: inout EnrichedEvent?
    ) -> Result<EnrichedEvent, InvalidRecord> {
        record.withUnsafePaddedValue { value, owner in
            guard let value else {
                return .failure(InvalidRecord(failure: .tombstone, message: "the record has a null value (tombstone)"))
            }
            do throws(EventDecodingError) {
                if Self.decodesInPlace {
                    return .success(try decoder.decode(paddedBytes: value, owner: owner, recycling: &recycled))
                }
                return .success(try decoder.decode(value, recycling: &recycled))
            } catch {
                return .failure(InvalidRecord(failure: FailureClass(error.errorClass), message: error.description))
            }
        }
    }
}
