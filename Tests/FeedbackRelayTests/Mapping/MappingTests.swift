import Foundation
import Testing

@testable import Commands
@testable import Mapping
@testable import Observability
@testable import RelayModel
@testable import Server
@testable import Settings
@testable import Store
@testable import Upstream
@testable import Verification

@Suite struct MappingTests {
    /// Maps `body` (and headers, query) under route settings given without the `RELAY_ROUTE_M_` prefix.
    func map(
        _ settings: [String: String],
        body: String,
        headers: [(String, String)] = [],
        query: String = ""
    ) throws -> MappingOutcome {
        var env = ["ELEVENLABS_API_KEY": "k", "RELAY_ROUTE_M_PRESET": "token", "RELAY_ROUTE_M_SECRET": "t"]
        for (key, value) in settings { env["RELAY_ROUTE_M_" + key] = value }
        let route = try #require(try RelayConfig.load(environment: env).routes.first)
        let request = SignedRequest(
            method: "POST",
            target: "/hooks/m" + (query.isEmpty ? "" : "?" + query),
            headers: headers,
            body: Array(body.utf8)
        )
        return try route.mapping.map(RequestPayload(request), route: "m")
    }

    func feedback(_ outcome: MappingOutcome) -> (String, Feedback)? {
        if case .feedback(let event) = outcome { return (event.conversationID, event.feedback) }
        return nil
    }

    @Test func jsonPointersReachNestedValuesArraysAndEscapedKeys() throws {
        let body = #"{"a/b":{"m~n":[{"id":"conv_p"}]},"votes":[{"v":"up"}]}"#
        let outcome = try map(["CONVERSATION_ID": "/a~1b/m~0n/0/id", "FEEDBACK": "/votes/0/v", "LIKE": "UP"], body: body)
        #expect(feedback(outcome)! == ("conv_p", .like))
        let outOfRange = try map(["CONVERSATION_ID": "/a~1b/m~0n/1/id", "FEEDBACK": "/votes/0/v", "LIKE": "up"], body: body)
        #expect(outOfRange == .unprocessable("no conversation id at /a~1b/m~0n/1/id"))
    }

    @Test func headerQueryAndFormSelectors() throws {
        let fromHeaders = try map(
            ["CONVERSATION_ID": "header:X-Conversation", "FEEDBACK": "query:vote"],
            body: "",
            headers: [("x-conversation", "conv_h")],
            query: "vote=like&x=1"
        )
        #expect(feedback(fromHeaders)! == ("conv_h", .like))
        let form = "Body=2&From=%2B15550001&conversation=conv_f"
        let fromForm = try map(["CONVERSATION_ID": "form:conversation", "FEEDBACK": "form:Body", "LIKE": "1,yes", "DISLIKE": "2,no"], body: form)
        #expect(feedback(fromForm)! == ("conv_f", .dislike))
        let slack = "payload=" + PercentEncoding.encodeFormComponent(#"{"actions":[{"value":"conv_s|like"}]}"#)
        let fromFormJSON = try map(
            [
                "CONVERSATION_ID": "form:payload/actions/0/value", "CONVERSATION_ID_PATTERN": "^([^|]+)\\|",
                "FEEDBACK": "form:payload/actions/0/value",
                "FEEDBACK_PATTERN": "\\|(\\w+)$",
            ],
            body: slack
        )
        #expect(feedback(fromFormJSON)! == ("conv_s", .like))
    }

    @Test func numericComparisonsApplyToNumbersAndNumericStrings() throws {
        let settings = ["CONVERSATION_ID": "/c", "FEEDBACK": "/r", "LIKE": ">=4", "DISLIKE": "<=2"]
        let cases: [(String, Feedback?)] = [
            ("5", .like), ("4", .like), ("\"4\"", .like), ("4.5", .like), ("3", nil), ("2", .dislike), ("\" 1 \"", .dislike), ("\"five\"", nil),
            ("true", nil),
        ]
        for (rating, expected) in cases {
            let outcome = try map(settings, body: #"{"c":"conv_n","r":\#(rating)}"#)
            if let expected {
                #expect(feedback(outcome)?.1 == expected, "\(rating)")
            } else {
                guard case .ignored = outcome else {
                    Issue.record("\(rating) should be ignored, got \(outcome)")
                    continue
                }
            }
        }
        let strict = try map(["CONVERSATION_ID": "/c", "FEEDBACK": "/r", "LIKE": ">4", "DISLIKE": "<2,=3"], body: #"{"c":"x","r":3}"#)
        #expect(feedback(strict)?.1 == .dislike)
    }

    @Test func matchFiltersEvents() throws {
        let settings = ["CONVERSATION_ID": "/c", "FEEDBACK": "/r", "MATCH": "/event=rating.created,rating.updated"]
        let matching = try map(settings, body: #"{"event":"Rating.Updated","c":"conv_m","r":"like"}"#)
        #expect(feedback(matching)! == ("conv_m", .like))
        let other = try map(settings, body: #"{"event":"ticket.closed","c":"conv_m","r":"like"}"#)
        #expect(other == .ignored("/event is 'ticket.closed', not rating.created,rating.updated"))
        let absent = try map(settings, body: #"{"c":"conv_m","r":"like"}"#)
        #expect(absent == .ignored("/event is missing, not rating.created,rating.updated"))
    }

    @Test func patternsThatDoNotMatch() throws {
        let outcome = try map(
            ["CONVERSATION_ID": "/c", "CONVERSATION_ID_PATTERN": "conv=(\\w+)", "FEEDBACK": "/r"],
            body: #"{"c":"nothing here","r":"like"}"#
        )
        #expect(outcome == .unprocessable("conversation id at /c does not match CONVERSATION_ID_PATTERN"))
        let feedbackMiss = try map(
            ["CONVERSATION_ID": "/c", "FEEDBACK": "/r", "FEEDBACK_PATTERN": "vote:(\\w+)"],
            body: #"{"c":"conv_1","r":"like"}"#
        )
        #expect(feedbackMiss == .ignored("feedback value at /r does not match FEEDBACK_PATTERN"))
    }

    @Test func eventIDAndTimeAreSelected() throws {
        let settings = ["CONVERSATION_ID": "/c", "FEEDBACK": "/r", "EVENT_ID": "header:X-Delivery", "EVENT_TIME": "/at"]
        for (at, seconds) in [("1768388714", 1_768_388_714.0), ("1768388714123", 1_768_388_714.123), ("\"2026-01-14T11:05:14Z\"", 1_768_388_714.0)] {
            guard case .feedback(let event) = try map(settings, body: #"{"c":"conv_t","r":"like","at":\#(at)}"#, headers: [("X-Delivery", "d-1")])
            else {
                Issue.record("no feedback for \(at)")
                continue
            }
            #expect(event.eventID == "d-1")
            #expect(abs((event.eventTime?.timeIntervalSince1970 ?? 0) - seconds) < 0.001, "\(at)")
        }
    }

    @Test func bodiesThatDoNotParseAreBadRequests() throws {
        #expect(throws: PayloadError.self) { try map(["CONVERSATION_ID": "/c", "FEEDBACK": "/r"], body: "c=conv&r=like") }
        #expect(throws: PayloadError.self) { try map(["CONVERSATION_ID": "form:c", "FEEDBACK": "form:r"], body: "c=%zz") }
        #expect(throws: PayloadError.self) { try map(["CONVERSATION_ID": "form:p/c", "FEEDBACK": "form:r"], body: "p=notjson&r=like") }
    }
}

@Suite struct JSONParserTests {
    @Test func parsesWhatRFC8259Allows() throws {
        let value = try JSONParser.parse(#" {"s":"a\"b\\c\/\n\u00e9\ud83d\ude00","n":-1.5e3,"z":0,"t":true,"f":false,"x":null,"a":[1,[2]],"o":{}} "#)
        #expect(value["s"] == .string("a\"b\\c/\né😀"))
        #expect(value["n"] == .number("-1.5e3"))
        #expect(value["z"] == .number("0"))
        #expect(value["t"] == .bool(true) && value["f"] == .bool(false) && value["x"] == .null)
        #expect(value["a"] == .array([.number("1"), .array([.number("2")])]))
        #expect(value["o"] == .object([:]))
    }

    /// Objects keep their members in a list (`JSONObject`): a name given twice reads its last value, as
    /// the dictionary it replaced did, and equality does not depend on the order of members.
    @Test func aRepeatedNameReadsItsLastValue() throws {
        let value = try JSONParser.parse(#"{"c":"first","d":{"x":1},"c":"last"}"#)
        #expect(value["c"] == .string("last"))
        #expect(JSONPointer("/d/x")?.resolve(in: value) == .number("1"))
        #expect(JSONPointer("/c")?.resolve(in: value) == .string("last"))
        #expect(value == (try JSONParser.parse(#"{"d":{"x":1},"c":"last"}"#)))
        #expect(value != (try JSONParser.parse(#"{"d":{"x":1},"c":"first"}"#)))
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "01", "1.", "-", "\"\\x\"", "\"\\ud800\"", "{\"a\" 1}", "tru", "[1] 2", "\"a\u{1}\"", "{'a':1}", "NaN",
    ])
    func refusesWhatItDoesNot(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try JSONParser.parse(fine) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xff, 0x22]) }
    }
}
