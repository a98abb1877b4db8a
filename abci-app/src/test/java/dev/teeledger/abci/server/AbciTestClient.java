package dev.teeledger.abci.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.RequestEcho;
import tendermint.abci.Types.RequestFlush;
import tendermint.abci.Types.Response;

/**
 * Speaks the ABCI socket protocol from the CometBFT side, using protobuf-java's own delimited
 * codec (not the server's framing classes), so the server is checked against an independent
 * encoder. Reads and writes go straight to the channel, so one thread may write while another
 * reads (the streams of {@code Channels} would serialise them on the blocking lock).
 */
final class AbciTestClient implements AutoCloseable {

  private final SocketChannel channel;
  private final InputStream in;

  private AbciTestClient(SocketChannel channel) {
    this.channel = channel;
    this.in = new BufferedInputStream(new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return channel.read(ByteBuffer.wrap(b, off, len));
      }
    }, 64 * 1024);
  }

  static AbciTestClient connect(SocketAddress address) throws IOException {
    return new AbciTestClient(SocketChannel.open(address)); // TCP or Unix (Java 16+)
  }

  static Request echo(String message) {
    return Request.newBuilder().setEcho(RequestEcho.newBuilder().setMessage(message)).build();
  }

  static Request flush() {
    return Request.newBuilder().setFlush(RequestFlush.getDefaultInstance()).build();
  }

  void send(Request... requests) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Request r : requests) {
      r.writeDelimitedTo(out);
    }
    sendRaw(out.toByteArray());
  }

  void sendRaw(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  Response receive() throws IOException {
    Response response = Response.parseDelimitedFrom(in);
    if (response == null) {
      throw new EOFException("server closed the connection");
    }
    return response;
  }

  /** Sends the request and a Flush, as CometBFT's synchronous calls do; returns the answer. */
  Response call(Request request) throws IOException {
    send(request, flush());
    Response response = receive();
    if (!response.hasException()) {
      assertThat(receive().hasFlush()).as("Flush answered after the request").isTrue();
    }
    return response;
  }

  /** True if the server has closed its side: the next read finds end of stream. */
  boolean serverClosed() throws IOException {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true; // reset counts as closed
    }
  }

  void shutdownOutput() throws IOException {
    channel.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
