import NIOCore
import NIOHTTP1
import RelayModel

/// The hook listener's response encoder: an answer's head, body and end go to the socket as one buffer
/// in one write. Every answer there is small and written whole at once, so NIO's `HTTPResponseEncoder`
/// (a buffer for the head, the body apart, framing worked out per part) cost more than the answer.
/// What the head says is the writer's: `Answer.parts` leaves the body out for HEAD. A head without
/// `content-length` gets the length of the body written after it.
final class AnswerEncoder: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = ByteBuffer

    private var head: HTTPResponseHead?
    private var body: ByteBuffer?
    private var promises: [EventLoopPromise<Void>] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let promise { promises.append(promise) }
        switch unwrapOutboundIn(data) {
        case .head(let answer):
            head = answer
        case .body(.byteBuffer(var bytes)):
            if body == nil { body = bytes } else { body!.writeBuffer(&bytes) }
        case .body(.fileRegion):
            preconditionFailure("the hook listener answers from memory, never from a file")
        case .end:
            guard let answer = head else { preconditionFailure("an answer's end was written before its head") }
            let encoded = encode(answer, body: body, allocator: context.channel.allocator)
            head = nil
            body = nil
            let written = promises
            promises = []
            switch written.count {
            case 0: context.write(wrapOutboundOut(encoded), promise: nil)
            case 1: context.write(wrapOutboundOut(encoded), promise: written[0])
            default:
                let all = context.eventLoop.makePromise(of: Void.self)
                for promise in written { all.futureResult.cascade(to: promise) }
                context.write(wrapOutboundOut(encoded), promise: all)
            }
        }
    }

    private func encode(_ answer: HTTPResponseHead, body: ByteBuffer?, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = body?.readableBytes ?? 0
        // Two passes over the headers, to size the buffer and then fill it, with no array between.
        var reason = answer.status.reasonPhrase
        var size = 17 + reason.utf8.count  // "HTTP/1.1 200 " + reason + CRLF + the CRLF that ends the head
        var hasLength = false
        for (name, value) in answer.headers {
            hasLength = hasLength || name.caseInsensitiveEquals("content-length")
            size += name.utf8.count + value.utf8.count + 4
        }
        let addedLength = hasLength ? nil : String(length)
        if let addedLength { size += 18 + addedLength.utf8.count }
        var buffer = allocator.buffer(capacity: size + length)
        // One copy into one buffer: each `ByteBuffer.writeString` cost more than its bytes here.
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
            var writer = HeadWriter(out: out)
            writer.put("HTTP/")
            writer.digit(answer.version.major)
            writer.put(".")
            writer.digit(answer.version.minor)
            writer.put(" ")
            let code = Int(answer.status.code)
            writer.digit(code / 100)
            writer.digit(code / 10)
            writer.digit(code)
            writer.put(" ")
            writer.put(&reason)
            writer.put("\r\n")
            for (var name, var value) in answer.headers {
                writer.put(&name)
                writer.put(": ")
                writer.put(&value)
                writer.put("\r\n")
            }
            if var addedLength {
                writer.put("content-length: ")
                writer.put(&addedLength)
                writer.put("\r\n")
            }
            writer.put("\r\n")
            return writer.at
        }
        if var body { buffer.writeBuffer(&body) }
        return buffer
    }
}

/// Copies an answer's head into memory reserved for it.
private struct HeadWriter {
    let out: UnsafeMutableRawBufferPointer
    var at = 0

    mutating func put(_ text: inout String) {
        text.withUTF8 { put(UnsafeRawBufferPointer($0)) }
    }

    mutating func put(_ text: StaticString) {
        put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The last decimal digit of `number`.
    mutating func digit(_ number: Int) {
        precondition(at < out.count, "an answer's head outgrew the size counted for it")
        out[at] = UInt8(ascii: "0") + UInt8(number % 10)
        at += 1
    }

    private mutating func put(_ bytes: UnsafeRawBufferPointer) {
        precondition(at + bytes.count <= out.count, "an answer's head outgrew the size counted for it")
        UnsafeMutableRawBufferPointer(rebasing: out[at...]).copyMemory(from: bytes)
        at += bytes.count
    }
}
