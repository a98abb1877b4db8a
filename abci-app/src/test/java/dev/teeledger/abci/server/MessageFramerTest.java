package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import tendermint.abci.Types.Response;
import tendermint.abci.Types.ResponseEcho;

class MessageFramerTest {

  @Test
  void matchesProtobufWriteDelimitedTo() throws IOException {
    Response response = Response.newBuilder()
        .setEcho(ResponseEcho.newBuilder().setMessage("x".repeat(300)))
        .build();
    ByteArrayOutputStream reference = new ByteArrayOutputStream();
    response.writeDelimitedTo(reference);
    assertThat(MessageFramer.encode(response)).isEqualTo(reference.toByteArray());
  }

  @Test
  void prefixes306ByteMessageWithTwoByteVarint() {
    // Echo{message: 300 x} = tag, 2-byte length, 300 bytes; Response wraps it: 1 + 2 + 303 = 306.
    Response response = Response.newBuilder()
        .setEcho(ResponseEcho.newBuilder().setMessage("x".repeat(300)))
        .build();
    assertThat(response.getSerializedSize()).isEqualTo(306);
    byte[] framed = MessageFramer.encode(response);
    assertThat(framed).startsWith((byte) 0xb2, (byte) 0x02).hasSize(308);
  }

  @Test
  void framesEmptyMessageAsSingleZeroByte() {
    assertThat(MessageFramer.encode(Response.getDefaultInstance())).containsExactly(0);
  }
}
