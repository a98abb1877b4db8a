package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestCheckTx;

class FrameDecoderTest {

  private static byte[] delimited(byte[]... bodies) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] body : bodies) {
      // protobuf-java's own varint writer: the reference the decoder must match.
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeUInt32NoTag(body.length);
      coded.flush();
      out.write(body);
    }
    return out.toByteArray();
  }

  private static List<byte[]> drain(FrameDecoder decoder, ByteBuffer input) throws FrameException {
    List<byte[]> frames = new ArrayList<>();
    for (Optional<byte[]> f = decoder.next(input); f.isPresent(); f = decoder.next(input)) {
      frames.add(f.get());
    }
    assertThat(input.hasRemaining()).as("empty result means input consumed").isFalse();
    return frames;
  }

  private static byte[] body(int size, int seed) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return b;
  }

  @Test
  void decodesFrameFedOneByteAtATime() throws IOException {
    byte[] body = body(300, 7); // 300 needs a two-byte prefix
    byte[] wire = delimited(body);
    FrameDecoder decoder = new FrameDecoder(1024);
    List<byte[]> frames = new ArrayList<>();
    for (byte b : wire) {
      frames.addAll(drain(decoder, ByteBuffer.wrap(new byte[] {b})));
    }
    assertThat(frames).hasSize(1);
    assertThat(frames.get(0)).isEqualTo(body);
    assertThat(decoder.isBetweenFrames()).isTrue();
    decoder.finish();
  }

  @Test
  void decodesSeveralFramesFromOneRead() throws IOException {
    byte[] a = body(5, 1);
    byte[] b = body(0, 2);
    byte[] c = body(200, 3);
    FrameDecoder decoder = new FrameDecoder(1024);
    List<byte[]> frames = drain(decoder, ByteBuffer.wrap(delimited(a, b, c)));
    assertThat(frames).containsExactly(a, b, c);
  }

  @Test
  void decodesRequestWrittenByProtobufWriteDelimitedTo() throws IOException {
    Request request = Request.newBuilder()
        .setCheckTx(RequestCheckTx.newBuilder().setTx(ByteString.copyFrom(body(1000, 9))))
        .build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    request.writeDelimitedTo(out);
    request.writeDelimitedTo(out);
    List<byte[]> frames = drain(new FrameDecoder(4096), ByteBuffer.wrap(out.toByteArray()));
    assertThat(frames).hasSize(2);
    assertThat(Request.parseFrom(frames.get(1))).isEqualTo(request);
  }

  @Test
  void acceptsFrameOfExactlyTheMaximum() throws IOException {
    byte[] body = body(128, 4);
    assertThat(drain(new FrameDecoder(128), ByteBuffer.wrap(delimited(body)))).hasSize(1);
  }

  @Test
  void rejectsFrameOverTheMaximumBeforeItsBodyArrives() throws IOException {
    FrameDecoder decoder = new FrameDecoder(128);
    byte[] prefixOnly = Arrays.copyOf(delimited(body(129, 0)), 2); // 129 = 0x81 0x01
    assertThatThrownBy(() -> decoder.next(ByteBuffer.wrap(prefixOnly)))
        .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
          assertThat(e.declaredLength()).isEqualTo(129);
          assertThat(e.maxFrameBytes()).isEqualTo(128);
        });
  }

  @Test
  void rejectsHugeLengthWithoutWaitingForTheWholePrefix() {
    FrameDecoder decoder = new FrameDecoder(Integer.MAX_VALUE);
    // Bits above 2^31 in the fifth byte already exceed any int limit.
    byte[] prefix = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x7F};
    assertThatThrownBy(() -> decoder.next(ByteBuffer.wrap(prefix)))
        .isInstanceOf(FrameTooLargeException.class);
  }

  @Test
  void rejectsVarintLongerThanTenBytes() {
    FrameDecoder decoder = new FrameDecoder(1024);
    byte[] prefix = new byte[11];
    Arrays.fill(prefix, (byte) 0x80); // value 0, but never terminated
    assertThatThrownBy(() -> decoder.next(ByteBuffer.wrap(prefix)))
        .isInstanceOf(MalformedFrameException.class)
        .hasMessageContaining("10 bytes");
  }

  @Test
  void acceptsNonMinimalVarintUpToTenBytes() throws IOException {
    // 3 encoded with padding, as protobuf parsers accept: 0x83 0x80 ... 0x00 (10 bytes).
    byte[] wire = new byte[13];
    wire[0] = (byte) 0x83;
    for (int i = 1; i < 9; i++) {
      wire[i] = (byte) 0x80;
    }
    wire[9] = 0x00;
    wire[10] = 1;
    wire[11] = 2;
    wire[12] = 3;
    List<byte[]> frames = drain(new FrameDecoder(16), ByteBuffer.wrap(wire));
    assertThat(frames).containsExactly(new byte[] {1, 2, 3});
  }

  @Test
  void reportsStreamEndingInsideABody() throws IOException {
    FrameDecoder decoder = new FrameDecoder(1024);
    byte[] wire = delimited(body(50, 5));
    assertThat(drain(decoder, ByteBuffer.wrap(wire, 0, 20))).isEmpty();
    assertThat(decoder.isBetweenFrames()).isFalse();
    assertThatThrownBy(decoder::finish)
        .isInstanceOfSatisfying(TruncatedFrameException.class,
            e -> assertThat(e.missingBytes()).isEqualTo(31));
  }

  @Test
  void reportsStreamEndingInsideAPrefix() throws IOException {
    FrameDecoder decoder = new FrameDecoder(1024);
    assertThat(drain(decoder, ByteBuffer.wrap(new byte[] {(byte) 0x81}))).isEmpty();
    assertThatThrownBy(decoder::finish).isInstanceOf(TruncatedFrameException.class);
  }

  @Test
  void endsCleanlyBetweenFrames() throws IOException {
    FrameDecoder decoder = new FrameDecoder(1024);
    drain(decoder, ByteBuffer.wrap(delimited(body(3, 3))));
    decoder.finish();
  }

  @Test
  void staysFailedAfterAnError() {
    FrameDecoder decoder = new FrameDecoder(4);
    assertThatThrownBy(() -> decoder.next(ByteBuffer.wrap(new byte[] {5})))
        .isInstanceOf(FrameTooLargeException.class);
    assertThatThrownBy(() -> decoder.next(ByteBuffer.wrap(new byte[] {1, 0})))
        .isInstanceOf(FrameTooLargeException.class);
    assertThatThrownBy(decoder::finish).isInstanceOf(FrameTooLargeException.class);
  }

  @Test
  void rejectsNegativeMaximum() {
    assertThatThrownBy(() -> new FrameDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  static LongStream seeds() {
    return LongStream.range(0, 200);
  }

  /** Property over seeded random inputs: the seed in the test name reproduces a failure. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void decodesTheSameFramesHoweverTheStreamIsSplit(long seed) throws IOException {
    Random random = new Random(seed);
    List<byte[]> bodies = new ArrayList<>();
    for (int i = random.nextInt(9); i > 0; i--) {
      byte[] body = new byte[random.nextInt(401)];
      random.nextBytes(body);
      bodies.add(body);
    }
    List<Integer> cuts = new ArrayList<>();
    for (int i = random.nextInt(21); i > 0; i--) {
      cuts.add(1 + random.nextInt(600));
    }
    byte[] wire = delimited(bodies.toArray(new byte[0][]));
    FrameDecoder decoder = new FrameDecoder(400);
    List<byte[]> frames = new ArrayList<>();
    int pos = 0;
    int cut = 0;
    while (pos < wire.length) {
      int len = cut < cuts.size() ? Math.min(cuts.get(cut++), wire.length - pos)
          : wire.length - pos;
      frames.addAll(drain(decoder, ByteBuffer.wrap(wire, pos, len)));
      pos += len;
    }
    decoder.finish();
    assertThat(frames).containsExactlyElementsOf(bodies);
  }
}
