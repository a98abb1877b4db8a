package dev.teeledger.chain.light;

import java.time.Instant;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/**
 * A header that {@link HeaderVerifier} accepted: its hash is the block id more than 2/3 of the
 * voting power of {@code validators} signed, and {@code validators} was trusted or linked to a
 * trusted header. It can serve as the trusted header for the next adjacent verification, and its
 * app hash as the root for query proofs of height {@code height() - 1}.
 *
 * @param header the verified header
 * @param hash its hash (the signed block id hash)
 * @param validators the validator set that signed it (hashes to {@code validators_hash})
 */
public record VerifiedHeader(
    Types.Header header, byte[] hash, ValidatorOuterClass.ValidatorSet validators) {

  public VerifiedHeader {
    hash = hash.clone();
  }

  @Override
  public byte[] hash() {
    return hash.clone();
  }

  public long height() {
    return header.getHeight();
  }

  /** App hash of the state after block {@code height() - 1}. */
  public byte[] appHash() {
    return header.getAppHash().toByteArray();
  }

  public Instant time() {
    return Instant.ofEpochSecond(header.getTime().getSeconds(), header.getTime().getNanos());
  }
}
