import Foundation
import Testing

@testable import EventModel
@testable import EventModelTesting

/// The parser's in-order guess of member names (`ExpectedMemberKey`): what a guess accepts, the order it
/// guesses in, and that documents in any other order or spelling decode exactly as before.
@Suite struct ExpectedMemberKeyTests {
    /// Whether `key` is found at the start of `bytes`, which is padded as the scanner's input is.
    static func isAt(_ key: ExpectedMemberKey, _ bytes: [UInt8], padding: UInt8 = 0) -> Bool {
        let padded = bytes + [UInt8](repeating: padding, count: JSONValidatingScanner.padding)
        return padded.withUnsafeBufferPointer { key.isAt($0.baseAddress!) }
    }

    @Test func guessesFollowTheSchemaOrderWithinEachObject() {
        for (scope, fields) in DecodingTestSupport.membersInSchemaOrder {
            var guessed: [EventField] = []
            var next: EventField? = EventField.firstExpected(in: scope)
            while let field = next, guessed.count <= fields.count {
                guessed.append(field)
                next = field.expectedSuccessor
            }
            #expect(guessed == fields, "\(scope)")
        }
    }

    @Test func aGuessMatchesExactlyQuoteKeyQuoteColon() {
        for field in EventField.allCases {
            let expected = EventField.expectedKeys[Int(field.rawValue)]
            let token = Array("\"\(field.key)\":".utf8)
            #expect(expected.length == token.count, "\(field.key)")
            // Whatever follows the colon (a value, whitespace, the padding) does not matter.
            #expect(Self.isAt(expected, token), "\(field.key)")
            #expect(Self.isAt(expected, token + Array(#" "value", "x":1}"#.utf8), padding: 0xFF), "\(field.key)")
            // Any other byte anywhere in the token does.
            for index in token.indices {
                for flip: UInt8 in [0x01, 0x20, 0x80] {
                    var altered = token
                    altered[index] ^= flip
                    #expect(!Self.isAt(expected, altered + Array("\"v\"".utf8)), "\(field.key) byte \(index) ^ \(flip)")
                }
            }
            // Spellings that mean the same member but are not the token go the general way.
            #expect(!Self.isAt(expected, Array("\"\(field.key)\" :".utf8)))
            #expect(!Self.isAt(expected, Array("\"\(field.key)x\":".utf8)))
            #expect(!Self.isAt(expected, Array("\"\(field.key.dropLast())\":".utf8)))
        }
    }

    /// Generated events rewritten with sorted keys and with whitespace everywhere (so no guess after the
    /// first holds) decode to the same members as the compact in-order originals, and as the reference.
    @Test func membersInAnotherOrderOrSpacingDecodeTheSame() throws {
        var generator = SyntheticEventGenerator(seed: 7)
        for index in 0..<300 {
            let original = generator.next().value
            let object = try JSONSerialization.jsonObject(with: Data(original))
            let layouts: [JSONSerialization.WritingOptions] = [[.sortedKeys], [.prettyPrinted, .sortedKeys], [.prettyPrinted]]
            for options in layouts {
                let rewritten = [UInt8](try JSONSerialization.data(withJSONObject: object, options: options))
                #expect(!DifferentialDecodingTests.compare(rewritten, "event \(index) rewritten \(options)"))
                let inOrder = try DecodingTestSupport.decoder.decode(original)
                let reordered = try DecodingTestSupport.decoder.decode(rewritten)
                #expect(reordered.eventID == inOrder.eventID && reordered.timestamp == inOrder.timestamp)
                #expect(reordered.clientInfo == inOrder.clientInfo && reordered.serviceInfo == inOrder.serviceInfo)
                #expect(reordered.processingInfo == inOrder.processingInfo && reordered.pageURL == inOrder.pageURL)
            }
        }
    }
}
