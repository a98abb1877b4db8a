package dev.teeledger.abci.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link AbciServer}. Validated on construction, so a server never starts with a
 * meaningless value; {@link #defaults()} suits one node on one machine.
 *
 * @param address where to listen: {@code tcp://host:port} ({@code tcp://[::1]:26658} for IPv6,
 *     port 0 for an ephemeral port), {@code unix:///absolute/path.sock}, or bare {@code host:port}
 *     (read as TCP, as CometBFT's {@code proxy_app} does). Must match CometBFT's
 *     {@code proxy_app}; default {@value #DEFAULT_ADDRESS}, CometBFT's own default.
 * @param maxFrameBytes largest request accepted, in bytes. The largest requests are
 *     PrepareProposal, ProcessProposal and FinalizeBlock, which carry a whole block's txs:
 *     at most the genesis/governed {@code block.max_bytes} (CometBFT default 22,020,096 =
 *     21 MiB, hard cap 100 MiB) plus commit info, vote extensions and misbehaviour evidence.
 *     The default of 64 MiB ({@value #DEFAULT_MAX_FRAME_BYTES}) leaves three times the default
 *     block size; raise it with {@code block.max_bytes}, or a legitimate block is refused and
 *     the node halts. A larger frame closes the connection (CometBFT would stop the node
 *     anyway); the limit bounds what one length prefix can make the server allocate.
 * @param maxConnections concurrent connections accepted; CometBFT opens 4, so the default of
 *     {@value #DEFAULT_MAX_CONNECTIONS} leaves room for a probe ({@code abci-cli}) or a
 *     reconnect racing the old connection's teardown; further ones are closed at once.
 * @param shutdownTimeout how long {@link AbciServer#close()} waits for connection threads to
 *     finish their request in flight before closing their sockets forcibly; default 10 s.
 * @param serializeApplicationCalls if true, every application call, on any connection, runs
 *     under one lock, as in CometBFT's Go socket server; if false (default), connections call
 *     the application concurrently and it must be thread-safe (see {@link AbciApplication}).
 */
public record AbciServerConfig(
    String address,
    int maxFrameBytes,
    int maxConnections,
    Duration shutdownTimeout,
    boolean serializeApplicationCalls) {

  /** CometBFT's default {@code proxy_app}. */
  public static final String DEFAULT_ADDRESS = "tcp://127.0.0.1:26658";

  /** 64 MiB; see the {@code maxFrameBytes} component. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

  /** Four CometBFT connections, plus headroom. */
  public static final int DEFAULT_MAX_CONNECTIONS = 16;

  /** Default bound on {@link AbciServer#close()}'s wait for connection threads. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /**
   * @throws IllegalArgumentException if the address does not parse, or a number is out of range
   */
  public AbciServerConfig {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    ListenAddress.parse(address);
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive, got " + maxFrameBytes);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException(
          "maxConnections must be positive, got " + maxConnections);
    }
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException("shutdownTimeout must not be negative");
    }
  }

  /** All defaults: {@value #DEFAULT_ADDRESS}, 64 MiB frames, 16 connections, 10 s, concurrent. */
  public static AbciServerConfig defaults() {
    return forAddress(DEFAULT_ADDRESS);
  }

  /** Defaults, listening on {@code address}. */
  public static AbciServerConfig forAddress(String address) {
    return new AbciServerConfig(address, DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_CONNECTIONS,
        DEFAULT_SHUTDOWN_TIMEOUT, false);
  }

  /** A copy with another address. */
  public AbciServerConfig withAddress(String newAddress) {
    return new AbciServerConfig(newAddress, maxFrameBytes, maxConnections, shutdownTimeout,
        serializeApplicationCalls);
  }

  /** A copy with another frame limit. */
  public AbciServerConfig withMaxFrameBytes(int newMaxFrameBytes) {
    return new AbciServerConfig(address, newMaxFrameBytes, maxConnections, shutdownTimeout,
        serializeApplicationCalls);
  }

  /** A copy with another connection limit. */
  public AbciServerConfig withMaxConnections(int newMaxConnections) {
    return new AbciServerConfig(address, maxFrameBytes, newMaxConnections, shutdownTimeout,
        serializeApplicationCalls);
  }

  /** A copy with another shutdown bound. */
  public AbciServerConfig withShutdownTimeout(Duration newShutdownTimeout) {
    return new AbciServerConfig(address, maxFrameBytes, maxConnections, newShutdownTimeout,
        serializeApplicationCalls);
  }

  /** A copy with application calls serialized or not. */
  public AbciServerConfig withSerializeApplicationCalls(boolean serialize) {
    return new AbciServerConfig(address, maxFrameBytes, maxConnections, shutdownTimeout,
        serialize);
  }
}
