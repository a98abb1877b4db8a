package dev.teeledger.abci.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Encodes one protobuf message as an ABCI socket frame: unsigned varint length, then the
 * message bytes. Byte-for-byte the output of protobuf-java's {@code writeDelimitedTo}; the
 * inverse of {@link FrameDecoder}. Stateless and thread-safe.
 */
public final class MessageFramer {

  private MessageFramer() {}

  /** Returns the framed bytes of {@code message}. */
  public static byte[] encode(MessageLite message) {
    int size = message.getSerializedSize();
    byte[] out = new byte[CodedOutputStream.computeUInt32SizeNoTag(size) + size];
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    try {
      coded.writeUInt32NoTag(size);
      message.writeTo(coded);
    } catch (IOException e) {
      // An array-backed stream sized from getSerializedSize() cannot run out of space unless
      // the message changed under us, which immutable generated messages cannot.
      throw new UncheckedIOException("protobuf serialization to a sized array failed", e);
    }
    coded.checkNoSpaceLeft();
    return out;
  }

  /** Returns the framed bytes of {@code message} wrapped in a buffer ready for reading. */
  public static ByteBuffer frame(MessageLite message) {
    return ByteBuffer.wrap(encode(message));
  }
}
