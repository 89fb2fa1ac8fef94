import Testing

@testable import ProcessingCore

@Suite(".env file parsing")
struct ConfigurationDotEnvFileTests {
    @Test("comments, blank lines, export, quotes, inline comments, spaces and CRLF line ends")
    func parsing() throws {
        let file = try DotEnvFile(
            parsing: """
                # a comment
                KAFKA_BROKERS=localhost:9092

                  export KAFKA_TOPIC = spaced-topic  \r
                KAFKA_CFG_SASL_PASSWORD="p@ss word"
                KAFKA_CFG_CLIENT_ID='single'
                EMPTY=
                URL=http://host/?a=b#fragment
                LOG_LEVEL=debug   # verbose while developing
                QUOTED="a # not a comment" # but this is
                KAFKA_BROKERS=later:9092
                """
        )
        #expect(
            file.variables == [
                "KAFKA_BROKERS": "later:9092",
                "KAFKA_TOPIC": "spaced-topic",
                "KAFKA_CFG_SASL_PASSWORD": "p@ss word",
                "KAFKA_CFG_CLIENT_ID": "single",
                "EMPTY": "",
                "URL": "http://host/?a=b#fragment",
                "LOG_LEVEL": "debug",
                "QUOTED": "a # not a comment",
            ]
        )
    }

    @Test("CRLF files split into lines")
    func crlf() throws {
        let file = try DotEnvFile(parsing: "A=1\r\nB=2\r\n")
        #expect(file.variables == ["A": "1", "B": "2"])
    }

    @Test("a # right after = is part of the value")
    func hashAtStart() throws {
        #expect(try DotEnvFile(parsing: "A=#abc\nB=x#y").variables == ["A": "#abc", "B": "x#y"])
    }

    @Test("a lone quote is kept")
    func unbalancedQuote() throws {
        #expect(try DotEnvFile(parsing: "A=\"x").variables == ["A": "\"x"])
    }
}
