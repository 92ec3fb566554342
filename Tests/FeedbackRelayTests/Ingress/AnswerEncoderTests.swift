import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import Server

/// `AnswerEncoder` on NIO's embedded channel, for what the relay's own answers never ask of it: a
/// head without its length, a body in pieces, several promises. Answers the relay does write are
/// covered over loopback (ClientConnectionTests, HookAnswerTests).
struct AnswerEncoderTests {
    static func encode(_ head: HTTPResponseHead, body: [String], promises: Int = 0) throws -> (bytes: String, writes: Int, done: Int) {
        let channel = EmbeddedChannel(handler: AnswerEncoder())
        var completed = 0
        var made: [EventLoopPromise<Void>] = []
        for _ in 0..<promises { made.append(channel.eventLoop.makePromise()) }
        for promise in made { promise.futureResult.whenSuccess { completed += 1 } }
        channel.write(HTTPServerResponsePart.head(head), promise: nil)
        for (index, piece) in body.enumerated() {
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: piece))), promise: index < made.count ? made[index] : nil)
        }
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: made.count > body.count ? made[body.count] : nil)
        var writes = 0
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            writes += 1
            text += String(buffer: buffer)
        }
        _ = try channel.finish()
        return (text, writes, completed)
    }

    @Test func aWholeAnswerIsOneWrite() throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: "15")
        let head = HTTPResponseHead(version: .http1_1, status: .accepted, headers: headers)
        let out = try Self.encode(head, body: [#"{"status":"ok"}"#])
        #expect(out.writes == 1)
        #expect(out.bytes == "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}")
    }

    @Test func aHeadWithoutItsLengthGetsTheBodysLength() throws {
        let head = HTTPResponseHead(version: .http1_1, status: .custom(code: 418, reasonPhrase: "Short"), headers: ["X-A": "1"])
        let out = try Self.encode(head, body: ["ab", "cde"], promises: 3)
        #expect(out.writes == 1)
        #expect(out.bytes == "HTTP/1.1 418 Short\r\nX-A: 1\r\ncontent-length: 5\r\n\r\nabcde")
        #expect(out.done == 3, "each part's promise is kept when the one write is")
    }

    @Test func aHeadWithItsLengthInAnyCaseKeepsIt() throws {
        let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["CONTENT-LENGTH": "0"])
        let out = try Self.encode(head, body: [])
        #expect(out.bytes == "HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 0\r\n\r\n")
    }
}
