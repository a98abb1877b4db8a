package dev.teeledger.chain.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import tendermint.types.ValidatorOuterClass;

/**
 * Typed client for the JSON-RPC interface of a CometBFT v0.38 node. Services and the CLI call it
 * to broadcast transactions, follow them, and fetch headers, commits, validator sets and query
 * answers; {@code dev.teeledger.chain.light} verifies what it returns, since nothing a single
 * node says is trusted.
 *
 * <p>Every call is one HTTP POST of a JSON-RPC 2.0 request to {@link CometRpcConfig#endpoint()},
 * bounded by {@link CometRpcConfig#requestTimeout()} from sending to the last body byte. Params
 * follow CometBFT's JSON conventions (int64 as decimal strings, {@code []byte} as base64,
 * {@code HexBytes} as hex). Failures surface as {@link ChainRpcException} with a kind; the
 * client never retries on its own. Instances are immutable and thread-safe; share one per node.
 */
public final class CometRpcClient {

  /** Largest page CometBFT's {@code /validators} serves. */
  private static final int VALIDATORS_PER_PAGE = 100;
  /** Guard against a node announcing an absurd validator count (CometBFT caps sets at 10,000). */
  private static final long MAX_VALIDATORS = 10_000;

  private static final int ERROR_SNIPPET_CHARS = 200;

  private final CometRpcConfig config;
  private final HttpClient http;
  private final ObjectMapper mapper = new ObjectMapper();
  private final AtomicLong nextId = new AtomicLong(1);

  /** A client with its own {@link HttpClient} using the configured connect timeout. */
  public CometRpcClient(CometRpcConfig config) {
    this(
        config,
        HttpClient.newBuilder()
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build());
  }

  /** A client on a caller-supplied {@link HttpClient} (shared pools, TLS settings). */
  public CometRpcClient(CometRpcConfig config, HttpClient http) {
    this.config = Objects.requireNonNull(config, "config");
    this.http = Objects.requireNonNull(http, "http");
  }

  public CometRpcConfig config() {
    return config;
  }

  /** {@code /status}: chain id, node identity and the newest block. */
  public NodeStatus status() throws ChainRpcException {
    return decode("status", call("status", params()), CometJsonCodec::status);
  }

  /** {@code broadcast_tx_sync}: waits for CheckTx, not for inclusion in a block. */
  public BroadcastResult broadcastTxSync(byte[] tx) throws ChainRpcException {
    return decode(
        "broadcast_tx_sync", call("broadcast_tx_sync", txParams(tx)), CometJsonCodec::broadcast);
  }

  /** {@code broadcast_tx_async}: returns once the node has the bytes; CheckTx runs later. */
  public BroadcastResult broadcastTxAsync(byte[] tx) throws ChainRpcException {
    return decode(
        "broadcast_tx_async", call("broadcast_tx_async", txParams(tx)), CometJsonCodec::broadcast);
  }

  /**
   * {@code broadcast_tx_commit}: waits until the transaction is in a block or the node's
   * {@code timeout_broadcast_tx_commit} passes (then an RPC error). For tests only, as
   * CometBFT advises; production code uses {@link #broadcastTxSync} and {@link #tx}.
   */
  public TxCommitResult broadcastTxCommit(byte[] tx) throws ChainRpcException {
    return decode(
        "broadcast_tx_commit",
        call("broadcast_tx_commit", txParams(tx)),
        CometJsonCodec::broadcastCommit);
  }

  /**
   * {@code /tx}: a committed transaction by its SHA-256 hash. A transaction not (yet) indexed
   * gives an RPC error whose data reads {@code "tx (HASH) not found"}.
   */
  public IndexedTx tx(byte[] hash) throws ChainRpcException {
    if (hash == null || hash.length != 32) {
      throw invalid("tx", "hash must be 32 bytes");
    }
    ObjectNode p = params();
    p.put("hash", Base64.getEncoder().encodeToString(hash));
    p.put("prove", false);
    return decode("tx", call("tx", p), CometJsonCodec::indexedTx);
  }

  /**
   * {@code abci_query}.
   *
   * @param path app-defined query path
   * @param data query data (usually the key)
   * @param height state height to query; 0 = latest
   * @param prove whether to ask the app for a Merkle proof
   */
  public AbciQueryResult abciQuery(String path, byte[] data, long height, boolean prove)
      throws ChainRpcException {
    Objects.requireNonNull(path, "path");
    if (height < 0) {
      throw invalid("abci_query", "height must be >= 0");
    }
    ObjectNode p = params();
    p.put("path", path);
    p.put("data", HexFormat.of().formatHex(data == null ? new byte[0] : data));
    p.put("height", Long.toString(height));
    p.put("prove", prove);
    return decode("abci_query", call("abci_query", p), CometJsonCodec::abciQuery);
  }

  /** {@code /commit}: the signed header at {@code height}; {@code height <= 0} = latest. */
  public CommitResponse commit(long height) throws ChainRpcException {
    JsonNode r = call("commit", heightParams(height));
    return decode(
        "commit",
        r,
        n ->
            new CommitResponse(
                CometJsonCodec.signedHeader(CometJsonCodec.field(n, "signed_header")),
                n.path("canonical").asBoolean(false)));
  }

  /**
   * {@code /validators}: the complete validator set that signs block {@code height}, fetched
   * page by page, in CometBFT's set order (the order commit signatures and the validators hash
   * use). {@code height <= 0} = latest; later pages then pin the height the first page reports.
   * {@code total_voting_power} is filled in; {@code proposer} is not (the RPC omits it).
   */
  public ValidatorOuterClass.ValidatorSet validators(long height) throws ChainRpcException {
    List<ValidatorOuterClass.Validator> all = new ArrayList<>();
    long pinnedHeight = height;
    long total = -1;
    for (int page = 1; ; page++) {
      ObjectNode p = heightParams(pinnedHeight);
      p.put("page", Integer.toString(page));
      p.put("per_page", Integer.toString(VALIDATORS_PER_PAGE));
      JsonNode r = call("validators", p);
      long pageTotal = decode("validators", r, n -> Long.parseLong(n.path("total").asText("-1")));
      long blockHeight =
          decode("validators", r, n -> Long.parseLong(n.path("block_height").asText("-1")));
      if (pageTotal < 1 || pageTotal > MAX_VALIDATORS || blockHeight < 1) {
        throw malformed("validators", "bad total " + pageTotal + " or height " + blockHeight);
      }
      if (total >= 0 && (pageTotal != total || blockHeight != pinnedHeight)) {
        throw malformed("validators", "pages disagree on total or height");
      }
      total = pageTotal;
      pinnedHeight = blockHeight;
      JsonNode vals = r.get("validators");
      if (vals == null || !vals.isArray() || vals.isEmpty()) {
        throw malformed("validators", "page " + page + " has no validators");
      }
      for (JsonNode v : vals) {
        all.add(decode("validators", v, CometJsonCodec::validator));
      }
      if (all.size() > total) {
        throw malformed("validators", "more validators than the announced total " + total);
      }
      if (all.size() == total) {
        break;
      }
    }
    long power = 0;
    for (ValidatorOuterClass.Validator v : all) {
      try {
        power = Math.addExact(power, v.getVotingPower());
      } catch (ArithmeticException e) {
        throw malformed("validators", "total voting power overflows int64");
      }
    }
    return ValidatorOuterClass.ValidatorSet.newBuilder()
        .addAllValidators(all)
        .setTotalVotingPower(power)
        .build();
  }

  /** {@code /block}; {@code height <= 0} = latest. */
  public BlockResponse block(long height) throws ChainRpcException {
    return decode("block", call("block", heightParams(height)), CometJsonCodec::block);
  }

  /** {@code /block_results}; {@code height <= 0} = latest. */
  public BlockResults blockResults(long height) throws ChainRpcException {
    return decode(
        "block_results", call("block_results", heightParams(height)), CometJsonCodec::blockResults);
  }

  // ---- transport --------------------------------------------------------------------------

  /** Sends one JSON-RPC request and returns its {@code result} member. */
  JsonNode call(String method, ObjectNode params) throws ChainRpcException {
    long id = nextId.getAndIncrement();
    ObjectNode request = mapper.createObjectNode();
    request.put("jsonrpc", "2.0");
    request.put("id", id);
    request.put("method", method);
    request.set("params", params);
    byte[] body;
    try {
      body = mapper.writeValueAsBytes(request);
    } catch (JsonProcessingException e) {
      throw ChainRpcException.of(
          ChainRpcException.Kind.INVALID_ARGUMENT, method, "cannot encode request", e);
    }
    HttpRequest req =
        HttpRequest.newBuilder(config.endpoint())
            .timeout(config.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();

    HttpResponse<byte[]> resp = send(method, req);
    JsonNode root;
    try {
      root = mapper.readTree(resp.body());
    } catch (Exception e) {
      root = null;
    }
    boolean success = resp.statusCode() / 100 == 2;
    if (root != null && root.isObject() && root.has("error") && !root.get("error").isNull()) {
      JsonNode err = root.get("error");
      JsonNode data = err.get("data");
      throw ChainRpcException.rpcError(
          method,
          err.path("code").asInt(0),
          err.path("message").asText(""),
          data == null || data.isNull() ? null : data.asText(),
          resp.statusCode());
    }
    if (!success) {
      throw ChainRpcException.httpStatus(method, resp.statusCode(), snippet(resp.body()));
    }
    if (root == null || !root.isObject()) {
      throw malformed(method, "answer is not a JSON object: " + snippet(resp.body()));
    }
    JsonNode respId = root.get("id");
    if (respId == null || respId.asLong(-1) != id) {
      throw malformed(method, "answer id " + respId + " does not match request id " + id);
    }
    JsonNode result = root.get("result");
    if (result == null || !result.isObject()) {
      throw malformed(method, "answer has no result object");
    }
    return result;
  }

  private HttpResponse<byte[]> send(String method, HttpRequest req) throws ChainRpcException {
    CompletableFuture<HttpResponse<byte[]>> future =
        http.sendAsync(req, info -> new LimitedBody(config.maxResponseBytes()));
    try {
      // The request timeout covers only the wait for headers; this bound covers the body too.
      return future.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw ChainRpcException.of(
          ChainRpcException.Kind.TIMEOUT,
          method,
          "no complete answer from " + config.endpoint() + " within " + config.requestTimeout(),
          e);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw ChainRpcException.of(ChainRpcException.Kind.INTERRUPTED, method, "interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpTimeoutException) {
        throw ChainRpcException.of(
            ChainRpcException.Kind.TIMEOUT,
            method,
            "no answer from " + config.endpoint() + " within " + config.requestTimeout(),
            cause);
      }
      if (cause instanceof ResponseTooLarge) {
        throw malformed(method, cause.getMessage());
      }
      if (cause instanceof ConnectException || hasCause(cause, ConnectException.class)) {
        throw ChainRpcException.of(
            ChainRpcException.Kind.CONNECTION_FAILED,
            method,
            "cannot connect to " + config.endpoint() + " (" + cause + ")",
            cause);
      }
      throw ChainRpcException.of(
          ChainRpcException.Kind.CONNECTION_FAILED,
          method,
          "I/O failure talking to " + config.endpoint() + ": " + cause,
          cause);
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }

  /** A decoding step that may find the answer malformed. */
  @FunctionalInterface
  private interface Decoder<T> {
    T apply(JsonNode node) throws ChainRpcException;
  }

  private static <T> T decode(String method, JsonNode node, Decoder<T> decoder)
      throws ChainRpcException {
    try {
      return decoder.apply(node);
    } catch (ChainRpcException e) {
      if (e.method().isPresent()) {
        throw e;
      }
      throw ChainRpcException.of(e.kind(), method, e.getMessage(), e);
    } catch (RuntimeException e) {
      throw malformed(method, "cannot decode answer: " + e);
    }
  }

  private ObjectNode params() {
    return mapper.createObjectNode();
  }

  private ObjectNode txParams(byte[] tx) throws ChainRpcException {
    if (tx == null || tx.length == 0) {
      throw invalid("broadcast_tx", "transaction must not be empty");
    }
    ObjectNode p = params();
    p.put("tx", Base64.getEncoder().encodeToString(tx));
    return p;
  }

  private ObjectNode heightParams(long height) {
    ObjectNode p = params();
    if (height > 0) {
      p.put("height", Long.toString(height));
    }
    return p;
  }

  private static String snippet(byte[] body) {
    String s = new String(body, StandardCharsets.UTF_8).strip();
    return s.length() <= ERROR_SNIPPET_CHARS ? s : s.substring(0, ERROR_SNIPPET_CHARS) + "...";
  }

  private static ChainRpcException malformed(String method, String message) {
    return ChainRpcException.of(ChainRpcException.Kind.MALFORMED_RESPONSE, method, message, null);
  }

  private static ChainRpcException invalid(String method, String message) {
    return ChainRpcException.of(ChainRpcException.Kind.INVALID_ARGUMENT, method, message, null);
  }

  /** Signals an answer larger than {@link CometRpcConfig#maxResponseBytes()}. */
  private static final class ResponseTooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    ResponseTooLarge(int limit) {
      super("answer exceeds " + limit + " bytes");
    }
  }

  /** Collects the body, cancelling the stream once it grows past the limit. */
  private static final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBody(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (result.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        if (buffer.size() + b.remaining() > limit) {
          subscription.cancel();
          result.completeExceptionally(new ResponseTooLarge(limit));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        buffer.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(buffer.toByteArray());
    }
  }
}
