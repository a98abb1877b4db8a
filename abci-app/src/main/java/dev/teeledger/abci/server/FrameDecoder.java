package dev.teeledger.abci.server;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Incremental decoder of the ABCI socket framing: each message is an unsigned varint length
 * followed by that many protobuf bytes (the encoding of protobuf-java's {@code writeDelimitedTo}
 * and of CometBFT's {@code protoio} delimited writer, used by {@code abci/types/messages.go}).
 *
 * <p>Bytes are pushed in as they arrive; a frame may span any number of reads and a read may
 * hold any number of frames. The declared length is checked against {@code maxFrameBytes}
 * before any body byte is buffered. Once a {@link FrameException} has been thrown the decoder
 * stays failed and throws it again, since framing cannot be resynchronised.
 *
 * <p>One instance per connection; not thread-safe.
 */
public final class FrameDecoder {

  /** A 64-bit varint takes at most 10 bytes (ceil(64 / 7)). */
  static final int MAX_VARINT_BYTES = 10;

  private final int maxFrameBytes;

  private long length;
  private int prefixBytes;
  private byte[] body;
  private int filled;
  private FrameException failure;

  /**
   * @param maxFrameBytes largest accepted body, in bytes (the length prefix is not counted)
   * @throws IllegalArgumentException if negative
   */
  public FrameDecoder(int maxFrameBytes) {
    if (maxFrameBytes < 0) {
      throw new IllegalArgumentException("maxFrameBytes must be >= 0, got " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Consumes bytes from {@code input} until one frame is complete or {@code input} is empty.
   * Call again while it returns a frame: the buffer may hold more. When it returns empty, every
   * remaining byte of {@code input} has been consumed and buffered.
   *
   * @return the body of the next complete frame, or empty if more input is needed
   * @throws FrameTooLargeException if the length prefix exceeds {@code maxFrameBytes}
   * @throws MalformedFrameException if the length prefix runs past 10 bytes
   */
  public Optional<byte[]> next(ByteBuffer input) throws FrameException {
    if (failure != null) {
      throw failure;
    }
    while (true) {
      if (body == null) {
        if (!input.hasRemaining()) {
          return Optional.empty();
        }
        readPrefixByte(input.get());
      } else {
        int n = Math.min(input.remaining(), body.length - filled);
        input.get(body, filled, n);
        filled += n;
        if (filled < body.length) {
          return Optional.empty();
        }
        byte[] frame = body;
        body = null;
        filled = 0;
        return Optional.of(frame);
      }
    }
  }

  private void readPrefixByte(byte b) throws FrameException {
    int shift = 7 * prefixBytes;
    prefixBytes++;
    long bits = b & 0x7F;
    if (bits != 0) {
      // maxFrameBytes < 2^31, so any set bit at position >= 31 already exceeds it; the value
      // only grows with further prefix bytes, so rejecting early is exact.
      if (shift >= 31 || (length | (bits << shift)) > maxFrameBytes) {
        long declared = shift <= 56 ? length | (bits << shift) : -1;
        throw fail(new FrameTooLargeException(declared, maxFrameBytes));
      }
      length |= bits << shift;
    }
    if ((b & 0x80) == 0) {
      body = new byte[(int) length];
      filled = 0;
      length = 0;
      prefixBytes = 0;
    } else if (prefixBytes == MAX_VARINT_BYTES) {
      throw fail(new MalformedFrameException(
          "length prefix is longer than " + MAX_VARINT_BYTES + " bytes"));
    }
  }

  /**
   * Signals the end of the stream.
   *
   * @throws TruncatedFrameException if the stream ended inside a length prefix or a body
   */
  public void finish() throws FrameException {
    if (failure != null) {
      throw failure;
    }
    if (body != null) {
      long missing = (long) body.length - filled;
      throw fail(new TruncatedFrameException("stream ended " + missing + " bytes short of a "
          + body.length + "-byte frame", missing));
    }
    if (prefixBytes > 0) {
      throw fail(new TruncatedFrameException(
          "stream ended inside a length prefix after " + prefixBytes + " bytes", 0));
    }
  }

  /** True when no partial frame is buffered, i.e. the stream may end here cleanly. */
  public boolean isBetweenFrames() {
    return body == null && prefixBytes == 0 && failure == null;
  }

  private FrameException fail(FrameException e) {
    failure = e;
    return e;
  }
}
