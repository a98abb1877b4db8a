package dev.teeledger.chain.rpc;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link CometRpcClient} talks to a CometBFT node. The defaults suit a node on the
 * same machine ({@code http://127.0.0.1:26657}, CometBFT's default {@code [rpc] laddr}).
 *
 * @param endpoint base URL of the node's JSON-RPC HTTP endpoint; requests are POSTed to it
 * @param connectTimeout limit for opening the TCP connection
 * @param requestTimeout limit for one request, from sending to the complete answer; keep it
 *     above the node's {@code timeout_broadcast_tx_commit} (10 s by default) if
 *     {@code broadcast_tx_commit} is used
 * @param maxResponseBytes answers longer than this are rejected as malformed, so a faulty or
 *     hostile node cannot exhaust memory
 */
public record CometRpcConfig(
    URI endpoint, Duration connectTimeout, Duration requestTimeout, int maxResponseBytes) {

  /** CometBFT's default RPC listen address. */
  public static final URI DEFAULT_ENDPOINT = URI.create("http://127.0.0.1:26657");

  public CometRpcConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    String scheme = endpoint.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("endpoint must be http(s): " + endpoint);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive");
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive");
    }
    if (maxResponseBytes <= 0) {
      throw new IllegalArgumentException("maxResponseBytes must be positive");
    }
  }

  /** Local node, 2 s to connect, 15 s per request, answers up to 64 MiB. */
  public static CometRpcConfig defaults() {
    return of(DEFAULT_ENDPOINT);
  }

  /** The given endpoint with the default timeouts and size limit. */
  public static CometRpcConfig of(URI endpoint) {
    return new CometRpcConfig(endpoint, Duration.ofSeconds(2), Duration.ofSeconds(15), 64 << 20);
  }

  /** A copy with another request timeout. */
  public CometRpcConfig withRequestTimeout(Duration timeout) {
    return new CometRpcConfig(endpoint, connectTimeout, timeout, maxResponseBytes);
  }
}
