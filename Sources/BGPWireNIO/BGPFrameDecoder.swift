public import BGPWire
public import NIOCore

/// Cuts a TCP byte stream into BGP messages (RFC 4271 §4.1) for a SwiftNIO pipeline.
///
/// Handles partial reads and several messages per read; each complete message goes on as a `ByteBuffer`
/// slice (no copy), header included, for ``BGPMessage/decode(_:options:)``. Header errors are thrown as
/// ``BGPWireError`` carrying the NOTIFICATION to send.
public struct BGPFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// 4096, or 65535 once RFC 8654 Extended Message is negotiated; the session handler raises it.
    public var maximumMessageLength: Int

    public init(maximumMessageLength: Int = BGPFraming.maximumLength) {
        self.maximumMessageLength = maximumMessageLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(&buffer, maximumLength: maximumMessageLength) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws
        -> DecodingState
    {
        try decode(context: context, buffer: &buffer)
    }

    /// Takes the next whole message off `buffer`, or returns nil (leaving it untouched) if it is not all there.
    public static func nextFrame(_ buffer: inout ByteBuffer, maximumLength: Int) throws(BGPWireError) -> ByteBuffer? {
        let header = buffer.withUnsafeReadableBytes { raw -> Result<Int?, BGPWireError> in
            do throws(BGPWireError) {
                return .success(try BGPFraming.frameLength(raw, maximumLength: maximumLength))
            } catch {
                return .failure(error)
            }
        }
        guard let length = try header.get(), buffer.readableBytes >= length else { return nil }
        return buffer.readSlice(length: length)
    }
}

/// Encodes outbound ``BGPMessage`` values for a SwiftNIO pipeline.
public struct BGPMessageEncoder: MessageToByteEncoder {
    public typealias OutboundIn = BGPMessage

    public var options: EncodingOptions

    public init(options: EncodingOptions = .default) { self.options = options }

    public func encode(data: BGPMessage, out: inout ByteBuffer) throws {
        var w = ByteWriter(capacity: 64)
        data.encode(into: &w, options: options)
        out.writeBytes(w.bytes)
    }
}

extension BGPMessage {
    /// Decodes a whole message held in a `ByteBuffer` (as ``BGPFrameDecoder`` emits them).
    public static func decode(
        _ buffer: ByteBuffer, options: DecodingOptions = .default
    ) throws(BGPWireError)
        -> DecodedMessage
    {
        let result = buffer.withUnsafeReadableBytes { raw -> Result<DecodedMessage, BGPWireError> in
            do throws(BGPWireError) { return .success(try decode(raw, options: options)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
