package dev.teeledger.abci.server;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tendermint.abci.Types.Request;
import tendermint.abci.Types.Response;

/**
 * One accepted ABCI connection, served by one thread: read a frame, dispatch it, queue the
 * response, repeat. Requests are therefore handled strictly in arrival order and responses
 * leave in the same order, as CometBFT's socket client requires (it matches each response to
 * the oldest pending request and stops on a type mismatch).
 *
 * <p>Responses are buffered and written when a {@code Flush} is answered (CometBFT's client
 * waits for that), when the buffer passes {@link #FLUSH_THRESHOLD_BYTES}, and whenever the
 * thread is about to block reading: a client that pipelines without flushing never waits on
 * us, and a burst of pipelined requests still leaves in few writes.
 *
 * <p>After answering {@code Response.exception} the connection is closed, as the Go server
 * does: CometBFT stops on it. {@link #stop()} may be called from any thread.
 */
final class AbciConnection implements Runnable {

  private static final Logger LOG = System.getLogger(AbciServer.class.getName());

  static final int READ_BUFFER_BYTES = 64 * 1024;
  static final int FLUSH_THRESHOLD_BYTES = 1024 * 1024;
  static final long LINGER_MILLIS = 500;

  private final int id;
  private final SocketChannel channel;
  private final RequestDispatcher dispatcher;
  private final int maxFrameBytes;
  private final Consumer<AbciConnection> onExit;
  private final List<ByteBuffer> pending = new ArrayList<>();
  private long pendingBytes;
  private volatile boolean stopping;

  AbciConnection(int id, SocketChannel channel, RequestDispatcher dispatcher, int maxFrameBytes,
      Consumer<AbciConnection> onExit) {
    this.id = id;
    this.channel = channel;
    this.dispatcher = dispatcher;
    this.maxFrameBytes = maxFrameBytes;
    this.onExit = onExit;
  }

  int id() {
    return id;
  }

  @Override
  public void run() {
    try {
      serve();
    } catch (FrameException e) {
      LOG.log(Level.WARNING, "ABCI connection " + id + ": " + e.getMessage()
          + "; closing it (other connections are unaffected)");
      answerAndFlushQuietly(RequestDispatcher.exception("framing error: " + e.getMessage()));
    } catch (ClosedChannelException e) {
      // stop() forced the socket closed after the shutdown timeout; nothing left to say.
      LOG.log(Level.DEBUG, "ABCI connection " + id + " closed while in use");
    } catch (IOException e) {
      if (stopping) {
        LOG.log(Level.DEBUG, "ABCI connection " + id + " I/O ended during shutdown: " + e);
      } else {
        LOG.log(Level.WARNING, "ABCI connection " + id + " I/O failed: " + e);
      }
    } catch (RuntimeException | Error e) {
      LOG.log(Level.ERROR, "ABCI connection " + id + " failed unexpectedly; closing it", e);
      if (e instanceof Error) {
        closeQuietly();
        onExit.accept(this);
        throw e;
      }
    }
    closeGracefully();
    onExit.accept(this);
  }

  private void serve() throws IOException {
    ByteBuffer input = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    input.flip();
    FrameDecoder decoder = new FrameDecoder(maxFrameBytes);
    while (!stopping) {
      Optional<byte[]> frame = decoder.next(input);
      if (frame.isEmpty()) {
        flush(); // before blocking: never hold a response the client may be waiting for
        input.clear();
        int n = channel.read(input);
        input.flip();
        if (n < 0) {
          endOfStream(decoder);
          return;
        }
        continue;
      }
      Request request;
      try {
        request = Request.parseFrom(frame.get());
      } catch (InvalidProtocolBufferException e) {
        LOG.log(Level.WARNING, "ABCI connection " + id + ": undecodable request ("
            + e.getMessage() + "); closing it");
        queue(RequestDispatcher.exception("undecodable request: " + e.getMessage()));
        flush();
        return;
      }
      Response response = dispatcher.dispatch(request);
      queue(response);
      if (response.hasException()) {
        flush();
        return;
      }
      if (response.hasFlush() || pendingBytes >= FLUSH_THRESHOLD_BYTES) {
        flush();
      }
    }
    flush(); // stopping: the request in flight has been answered
  }

  private void endOfStream(FrameDecoder decoder) throws FrameException {
    if (stopping) {
      LOG.log(Level.DEBUG, "ABCI connection " + id + " stopped");
      return;
    }
    decoder.finish();
    LOG.log(Level.INFO, "ABCI connection " + id + " closed by the client");
  }

  private void queue(Response response) {
    ByteBuffer frame = MessageFramer.frame(response);
    pending.add(frame);
    pendingBytes += frame.remaining();
  }

  private void flush() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    ByteBuffer[] buffers = pending.toArray(new ByteBuffer[0]);
    long left = pendingBytes;
    while (left > 0) {
      left -= channel.write(buffers);
    }
    pending.clear();
    pendingBytes = 0;
  }

  private void answerAndFlushQuietly(Response response) {
    try {
      queue(response);
      flush();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "ABCI connection " + id + ": could not send the error: " + e);
    }
  }

  /**
   * Asks the serving thread to stop after the request in flight: shuts the input down, which
   * wakes a thread blocked in read with end-of-stream, and leaves the output open so the
   * pending responses are still written.
   */
  void stop() {
    stopping = true;
    try {
      channel.shutdownInput();
    } catch (IOException e) {
      // Already closed or reset: the serving thread sees the same and exits.
      LOG.log(Level.DEBUG, "ABCI connection " + id + ": shutdownInput: " + e);
    }
  }

  /** Closes the socket outright; a blocked read or write fails and the thread exits. */
  void forceClose() {
    stopping = true;
    closeQuietly();
  }

  /**
   * Half-closes, then waits briefly for the client's end of stream before closing. Closing a
   * TCP socket that still has unread input makes the kernel send RST, which can destroy the
   * last responses (e.g. the {@code Response.exception} explaining why we stop) before the
   * client reads them; sending FIN first and draining avoids that. CometBFT closes its side as
   * soon as it sees our FIN, so the wait is normally short; it is bounded by
   * {@link #LINGER_MILLIS}.
   */
  private void closeGracefully() {
    try {
      if (channel.isOpen()) {
        channel.shutdownOutput();
        channel.configureBlocking(false);
        try (Selector selector = Selector.open()) {
          channel.register(selector, SelectionKey.OP_READ);
          ByteBuffer sink = ByteBuffer.allocate(8192);
          long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
          for (long left = LINGER_MILLIS; left > 0;
              left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
            selector.select(left);
            sink.clear();
            if (channel.read(sink) < 0) {
              break;
            }
          }
        }
      }
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "ABCI connection " + id + ": lingering close: " + e);
    } finally {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "ABCI connection " + id + ": close: " + e);
    }
  }
}
