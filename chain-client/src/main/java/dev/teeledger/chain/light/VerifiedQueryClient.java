package dev.teeledger.chain.light;

import static dev.teeledger.chain.light.LightClientException.Reason.HEADER_TOO_OLD;
import static dev.teeledger.chain.light.LightClientException.Reason.HEIGHT_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.KEY_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.NEXT_HEADER_UNAVAILABLE;
import static dev.teeledger.chain.light.LightClientException.Reason.QUERY_FAILED;

import dev.teeledger.chain.rpc.AbciQueryResult;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.CometRpcClient;
import dev.teeledger.chain.rpc.CommitResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import dev.teeledger.protocol.result.ResultCode;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a key from the chain's state without trusting the node that answers. The CLI and the
 * services call it for reads that must be proven (balances, HSM status) rather than taken from a
 * read model.
 *
 * <p>One {@link #query} runs: {@code abci_query} with {@code prove=true} at the latest height H
 * (the query data is the key); a bounded wait until block H+1 exists; {@code /commit} at H+1;
 * {@link HeaderVerifier#verifyTrusted} of that header against the caller's pinned
 * {@link TrustedValidators}; a freshness check of the header time against the clock; and
 * {@link ProofVerifier#verify} of the proof ops against the header's app hash, which commits to
 * the state after block H. Any tampered value, proof, header or signature ends in a
 * {@link LightClientException}; transport failures end in a {@link ChainRpcException}.
 *
 * <p>The validator set is pinned, not followed: if governance changes the set, queries fail with
 * {@code VALIDATORS_HASH_MISMATCH} until the caller pins the new set. Thread-safe; the bounded
 * wait sleeps on the calling thread.
 */
public final class VerifiedQueryClient {

  /**
   * Timing bounds of a verified query.
   *
   * @param nextHeaderWait how long to wait for block H+1 to be committed (a few block times)
   * @param pollInterval pause between {@code /status} polls while waiting
   * @param maxHeaderAge reject headers older than this, so a node cannot serve stale state
   */
  public record Options(Duration nextHeaderWait, Duration pollInterval, Duration maxHeaderAge) {
    public Options {
      Objects.requireNonNull(nextHeaderWait, "nextHeaderWait");
      Objects.requireNonNull(pollInterval, "pollInterval");
      Objects.requireNonNull(maxHeaderAge, "maxHeaderAge");
      if (pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("pollInterval must be positive");
      }
    }

    /** 10 s wait for H+1, polled every 200 ms; headers up to 5 minutes old. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofMinutes(5));
    }
  }

  /**
   * A proven answer.
   *
   * @param key the key
   * @param value its value, or {@code null} if the proof shows the key absent
   * @param height the state height H the answer holds for
   * @param header the verified header H+1 whose app hash the proof ends at
   */
  public record VerifiedValue(byte[] key, byte[] value, long height, VerifiedHeader header) {
    public VerifiedValue {
      key = key.clone();
      value = value == null ? null : value.clone();
    }

    @Override
    public byte[] key() {
      return key.clone();
    }

    @Override
    public byte[] value() {
      return value == null ? null : value.clone();
    }

    /** The value, empty when the key is proven absent. */
    public Optional<byte[]> valueIfPresent() {
      return Optional.ofNullable(value());
    }
  }

  private final CometRpcClient rpc;
  private final HeaderVerifier headers;
  private final ProofVerifier proofs;
  private final TrustedValidators trusted;
  private final Options options;
  private final Clock clock;

  public VerifiedQueryClient(
      CometRpcClient rpc,
      HeaderVerifier headers,
      ProofVerifier proofs,
      TrustedValidators trusted,
      Options options,
      Clock clock) {
    this.rpc = Objects.requireNonNull(rpc, "rpc");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.proofs = Objects.requireNonNull(proofs, "proofs");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Queries {@code key} under {@code path} at the latest height and verifies the answer.
   *
   * @throws LightClientException if the app refuses the query (QUERY_FAILED), block H+1 does
   *     not appear in time (NEXT_HEADER_UNAVAILABLE), or any verification step fails
   * @throws ChainRpcException if the node cannot be reached or answers garbage
   */
  public VerifiedValue query(String path, byte[] key)
      throws ChainRpcException, LightClientException {
    return query(path, key, 0);
  }

  /**
   * Queries {@code key} under {@code path} in the state after block {@code height} (0 = the
   * latest) and verifies the answer against header {@code height + 1}. Reading several keys at
   * one height gives a consistent snapshot, e.g. a list's count and all its pages. The height
   * must still be retained by the node, and header {@code height + 1} must be younger than
   * {@link Options#maxHeaderAge}.
   *
   * @throws LightClientException as {@link #query(String, byte[])}, and HEIGHT_MISMATCH if the
   *     node answers for another height
   * @throws IllegalArgumentException if {@code height} is negative
   */
  public VerifiedValue query(String path, byte[] key, long height)
      throws ChainRpcException, LightClientException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(key, "key");
    if (height < 0) {
      throw new IllegalArgumentException("height must be >= 0 (0 = latest), got " + height);
    }
    AbciQueryResult answer = rpc.abciQuery(path, key, height, true);
    // An absent key is answered NOT_FOUND together with an absence proof, verified below.
    boolean absent = answer.code() == ResultCode.NOT_FOUND.code();
    if (answer.code() != 0 && !absent) {
      throw new LightClientException(
          QUERY_FAILED,
          "app answered code " + answer.code() + " (" + answer.codespace() + "): " + answer.log());
    }
    if (!Arrays.equals(answer.key(), key)) {
      throw new LightClientException(
          KEY_MISMATCH,
          "answer is for key " + HexFormat.of().formatHex(answer.key()) + ", asked "
              + HexFormat.of().formatHex(key));
    }
    long answered = answer.height();
    if (answered <= 0 || (height != 0 && answered != height)) {
      throw new LightClientException(
          HEIGHT_MISMATCH, "answer has height " + answered + (height == 0 ? "" : ", asked " + height));
    }

    awaitHeight(answered + 1);
    CommitResponse commit = rpc.commit(answered + 1);
    long committed = commit.signedHeader().getHeader().getHeight();
    if (committed != answered + 1) {
      throw new LightClientException(
          HEIGHT_MISMATCH, "asked for header " + (answered + 1) + ", got " + committed);
    }
    Instant now = clock.instant();
    VerifiedHeader header = headers.verifyTrusted(commit.signedHeader(), trusted, now);
    if (header.time().isBefore(now.minus(options.maxHeaderAge()))) {
      throw new LightClientException(
          HEADER_TOO_OLD,
          "header " + header.height() + " is from " + header.time() + ", older than "
              + options.maxHeaderAge());
    }
    byte[] value = absent ? null : answer.value();
    proofs.verify(answer.proofOps(), key, value, header.appHash());
    return new VerifiedValue(key, value, answered, header);
  }

  /** Polls {@code /status} until the node has committed {@code height}, within the bound. */
  private void awaitHeight(long height) throws ChainRpcException, LightClientException {
    long deadline = System.nanoTime() + options.nextHeaderWait().toNanos();
    while (true) {
      long latest = rpc.status().latestHeight();
      if (latest >= height) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new LightClientException(
            NEXT_HEADER_UNAVAILABLE,
            "block " + height + " not committed within " + options.nextHeaderWait()
                + " (node is at " + latest + ")");
      }
      try {
        Thread.sleep(options.pollInterval().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LightClientException(NEXT_HEADER_UNAVAILABLE, "interrupted while waiting", e);
      }
    }
  }
}
