package dev.teeledger.chain.rpc;

import java.util.Objects;
import java.util.Optional;

/**
 * Failure of a call to a CometBFT node's RPC endpoint. Thrown by {@link CometRpcClient} and
 * {@link CometJsonCodec}; {@link #kind()} says whether the node answered with a JSON-RPC error
 * object (then {@link #rpcCode()}, {@link #rpcMessage()} and {@link #rpcData()} carry it
 * verbatim), whether the transport failed, or whether the answer was not what CometBFT v0.38
 * sends. Callers decide on retries from the kind: only {@link Kind#TIMEOUT} and
 * {@link Kind#CONNECTION_FAILED} are worth retrying unchanged.
 */
public final class ChainRpcException extends Exception {

  private static final long serialVersionUID = 1L;

  /** What went wrong, coarse enough to drive retry and error-mapping decisions. */
  public enum Kind {
    /** The node answered with a JSON-RPC {@code error} object. */
    RPC_ERROR,
    /** The node answered with a non-2xx HTTP status and no JSON-RPC error object. */
    HTTP_STATUS,
    /** No complete answer arrived within the configured request timeout. */
    TIMEOUT,
    /** The TCP connection could not be opened or broke (refused, reset, unknown host). */
    CONNECTION_FAILED,
    /** The answer was not valid JSON or lacked a field CometBFT always sends. */
    MALFORMED_RESPONSE,
    /** The calling thread was interrupted while waiting; the interrupt flag is restored. */
    INTERRUPTED,
    /** The caller passed an argument the RPC cannot take (negative height, empty tx). */
    INVALID_ARGUMENT
  }

  private final Kind kind;
  private final String method;
  private final Integer rpcCode;
  private final String rpcMessage;
  private final String rpcData;
  private final int httpStatus;

  private ChainRpcException(
      Kind kind,
      String method,
      String message,
      Integer rpcCode,
      String rpcMessage,
      String rpcData,
      int httpStatus,
      Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.method = method;
    this.rpcCode = rpcCode;
    this.rpcMessage = rpcMessage;
    this.rpcData = rpcData;
    this.httpStatus = httpStatus;
  }

  /** An error object returned by the node ({@code {"code":-32603,"message":..,"data":..}}). */
  public static ChainRpcException rpcError(
      String method, int code, String message, String data, int httpStatus) {
    String text = method + ": RPC error " + code + " " + message + (data == null ? "" : ": " + data);
    return new ChainRpcException(
        Kind.RPC_ERROR, method, text, code, message, data, httpStatus, null);
  }

  /** A non-2xx HTTP answer without a JSON-RPC error body; {@code bodySnippet} is truncated. */
  public static ChainRpcException httpStatus(String method, int status, String bodySnippet) {
    return new ChainRpcException(
        Kind.HTTP_STATUS,
        method,
        method + ": HTTP " + status + (bodySnippet.isEmpty() ? "" : ": " + bodySnippet),
        null,
        null,
        null,
        status,
        null);
  }

  /** A failure of the given kind that carries no RPC error object. */
  public static ChainRpcException of(Kind kind, String method, String message, Throwable cause) {
    return new ChainRpcException(
        kind, method, (method == null ? "" : method + ": ") + message, null, null, null, 0, cause);
  }

  /** What went wrong; drives retry decisions and error mapping. */
  public Kind kind() {
    return kind;
  }

  /** The RPC method that failed, or empty when the failure is not tied to one call. */
  public Optional<String> method() {
    return Optional.ofNullable(method);
  }

  /** The JSON-RPC error code (e.g. -32603 internal, -32602 invalid params); only for RPC_ERROR. */
  public Optional<Integer> rpcCode() {
    return Optional.ofNullable(rpcCode);
  }

  /** The JSON-RPC error {@code message}; only for RPC_ERROR. */
  public Optional<String> rpcMessage() {
    return Optional.ofNullable(rpcMessage);
  }

  /** The JSON-RPC error {@code data}, where CometBFT puts the human-readable cause. */
  public Optional<String> rpcData() {
    return Optional.ofNullable(rpcData);
  }

  /** The HTTP status of the answer, or 0 when no answer arrived. */
  public int httpStatus() {
    return httpStatus;
  }
}
