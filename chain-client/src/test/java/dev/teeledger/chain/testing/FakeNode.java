package dev.teeledger.chain.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-process HTTP server that answers JSON-RPC POSTs like a CometBFT node, through a handler
 * the test supplies. Records every request body it received.
 */
public final class FakeNode implements AutoCloseable {

  /** What the node answers to one request. */
  public record Reply(int status, String body, long delayMillis) {
    public static Reply ok(String body) {
      return new Reply(200, body, 0);
    }
  }

  /** Computes a reply from the parsed request. */
  @FunctionalInterface
  public interface Handler {
    Reply handle(JsonNode request) throws Exception;
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private volatile Handler handler;

  public FakeNode(Handler handler) throws IOException {
    this.handler = handler;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::serve);
    server.setExecutor(executor);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  public void handler(Handler h) {
    this.handler = h;
  }

  public List<JsonNode> requests() {
    return requests;
  }

  /** A JSON-RPC success answer echoing the request id. */
  public static String result(JsonNode request, JsonNode result) {
    ObjectNode r = MAPPER.createObjectNode();
    r.put("jsonrpc", "2.0");
    r.set("id", request.get("id"));
    r.set("result", result);
    return r.toString();
  }

  /** The captured fixture answer with its id replaced by the request's. */
  public static String fixture(JsonNode request, String fixtureName) {
    return result(request, Fixtures.result(fixtureName));
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      Reply reply;
      try {
        JsonNode request = MAPPER.readTree(body);
        requests.add(request);
        reply = handler.handle(request);
      } catch (Exception e) {
        reply = new Reply(599, "handler failed: " + e, 0);
      }
      if (reply.delayMillis() > 0) {
        try {
          Thread.sleep(reply.delayMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    } catch (IOException e) {
      // The client went away (e.g. after its timeout); nothing to do.
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
