package dev.teeledger.chain.light;

import static dev.teeledger.chain.light.LightClientException.Reason.BAD_HEADER_TIME;
import static dev.teeledger.chain.light.LightClientException.Reason.BAD_SIGNATURE;
import static dev.teeledger.chain.light.LightClientException.Reason.CHAIN_ID_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.HEADER_HASH_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.HEIGHT_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.INSUFFICIENT_VOTING_POWER;
import static dev.teeledger.chain.light.LightClientException.Reason.MALFORMED_HEADER;
import static dev.teeledger.chain.light.LightClientException.Reason.NEXT_VALIDATORS_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.UNSUPPORTED_KEY_TYPE;
import static dev.teeledger.chain.light.LightClientException.Reason.VALIDATORS_HASH_MISMATCH;
import static dev.teeledger.chain.light.LightClientException.Reason.VALIDATOR_SET_MISMATCH;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import tendermint.crypto.Keys;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/**
 * Verifies CometBFT v0.38 signed headers the way its light client does ({@code light/verifier.go}
 * with {@code types/validation.go VerifyCommitLight}), for one chain id. Callers are
 * {@link VerifiedQueryClient} and anyone following the chain header by header.
 *
 * <p>A header is accepted only when all of these hold: it names the configured chain; its
 * height is positive and equals the commit's; its time is at most {@code maxClockDrift} past
 * {@code now}; the validator set hashes to its {@code validators_hash}; its Merkle hash equals the
 * block id hash the commit signs; the commit has one signature slot per validator; every slot
 * flagged COMMIT carries that validator's address and a valid Ed25519 signature over the
 * canonical precommit; and those signatures carry more than 2/3 of the set's voting power. The
 * validator set itself must come from trust: {@link #verifyTrusted} compares it with a pinned
 * {@link TrustedValidators}, {@link #verifyAdjacent} links it to a verified header's
 * {@code next_validators_hash}. Unlike CometBFT, which stops at 2/3, every COMMIT signature is
 * checked, so one forged signature rejects the header.
 *
 * <p>Stateless and thread-safe. Ed25519 uses BouncyCastle's {@link Ed25519Signer} (RFC 8032
 * verification; CometBFT accepts the slightly wider ZIP-215 set, which honest validators never
 * produce).
 */
public final class HeaderVerifier {

  private static final int ED25519_KEY_LENGTH = 32;
  private static final int ED25519_SIGNATURE_LENGTH = 64;

  private final String chainId;
  private final Duration maxClockDrift;

  /**
   * @param chainId the chain whose headers are accepted
   * @param maxClockDrift how far a header's time may lie ahead of the caller's clock (CometBFT's
   *     light client defaults to 10 s)
   */
  public HeaderVerifier(String chainId, Duration maxClockDrift) {
    this.chainId = Objects.requireNonNull(chainId, "chainId");
    this.maxClockDrift = Objects.requireNonNull(maxClockDrift, "maxClockDrift");
    if (chainId.isEmpty()) {
      throw new IllegalArgumentException("chainId must not be empty");
    }
    if (maxClockDrift.isNegative()) {
      throw new IllegalArgumentException("maxClockDrift must not be negative");
    }
  }

  /** A verifier with CometBFT's default 10 s clock drift. */
  public HeaderVerifier(String chainId) {
    this(chainId, Duration.ofSeconds(10));
  }

  public String chainId() {
    return chainId;
  }

  /**
   * Verifies {@code signedHeader} as signed by the pinned {@code trusted} set.
   *
   * @param now the caller's current time, for the clock-drift check
   */
  public VerifiedHeader verifyTrusted(
      Types.SignedHeader signedHeader, TrustedValidators trusted, Instant now)
      throws LightClientException {
    Types.Header header = requireHeader(signedHeader);
    checkHeaderBasics(header, now);
    if (!MessageDigest.isEqual(header.getValidatorsHash().toByteArray(), trusted.hash())) {
      throw new LightClientException(
          VALIDATORS_HASH_MISMATCH,
          "header " + header.getHeight() + " is signed by validators "
              + hex(header.getValidatorsHash()) + ", not the trusted set " + hex(trusted.hash()));
    }
    return verifyWithValidators(signedHeader, trusted.toValidatorSet(), now);
  }

  /**
   * Verifies the header right after {@code trusted}: its height is {@code trusted.height() + 1},
   * its time is later, and its {@code validators_hash} is the one {@code trusted} announced as
   * {@code next_validators_hash}; then {@code validators} (e.g. fetched from {@code /validators})
   * must hash to it and sign it.
   */
  public VerifiedHeader verifyAdjacent(
      VerifiedHeader trusted,
      Types.SignedHeader signedHeader,
      ValidatorOuterClass.ValidatorSet validators,
      Instant now)
      throws LightClientException {
    Types.Header header = requireHeader(signedHeader);
    checkHeaderBasics(header, now);
    if (header.getHeight() != trusted.height() + 1) {
      throw new LightClientException(
          HEIGHT_MISMATCH,
          "expected height " + (trusted.height() + 1) + ", got " + header.getHeight());
    }
    if (compare(header.getTime(), trusted.header().getTime()) <= 0) {
      throw new LightClientException(
          BAD_HEADER_TIME, "header time is not after the trusted header's time");
    }
    if (!header.getValidatorsHash().equals(trusted.header().getNextValidatorsHash())) {
      throw new LightClientException(
          NEXT_VALIDATORS_MISMATCH,
          "validators_hash " + hex(header.getValidatorsHash())
              + " is not the trusted next_validators_hash "
              + hex(trusted.header().getNextValidatorsHash()));
    }
    return verifyWithValidators(signedHeader, validators, now);
  }

  /**
   * Checks everything except where {@code validators} comes from; callers must have linked the
   * set to trust first.
   */
  VerifiedHeader verifyWithValidators(
      Types.SignedHeader signedHeader, ValidatorOuterClass.ValidatorSet validators, Instant now)
      throws LightClientException {
    Types.Header header = requireHeader(signedHeader);
    Types.Commit commit = signedHeader.getCommit();
    checkHeaderBasics(header, now);

    if (!signedHeader.hasCommit()) {
      throw new LightClientException(MALFORMED_HEADER, "signed header has no commit");
    }
    if (commit.getHeight() != header.getHeight()) {
      throw new LightClientException(
          HEIGHT_MISMATCH,
          "commit height " + commit.getHeight() + " != header height " + header.getHeight());
    }
    if (commit.getRound() < 0) {
      throw new LightClientException(MALFORMED_HEADER, "negative commit round");
    }

    List<ValidatorOuterClass.Validator> vals = validators.getValidatorsList();
    if (vals.isEmpty()) {
      throw new LightClientException(VALIDATOR_SET_MISMATCH, "empty validator set");
    }
    byte[] valsHash = BlockHashes.validatorSet(vals);
    if (!MessageDigest.isEqual(valsHash, header.getValidatorsHash().toByteArray())) {
      throw new LightClientException(
          VALIDATORS_HASH_MISMATCH,
          "validator set hashes to " + hex(valsHash) + ", header says "
              + hex(header.getValidatorsHash()));
    }

    byte[] headerHash = BlockHashes.header(header);
    if (!MessageDigest.isEqual(headerHash, commit.getBlockId().getHash().toByteArray())) {
      throw new LightClientException(
          HEADER_HASH_MISMATCH,
          "header hashes to " + hex(headerHash) + ", commit signs "
              + hex(commit.getBlockId().getHash()));
    }

    verifyCommitSignatures(commit, vals);
    return new VerifiedHeader(header, headerHash, validators);
  }

  private void checkHeaderBasics(Types.Header header, Instant now) throws LightClientException {
    if (!chainId.equals(header.getChainId())) {
      throw new LightClientException(
          CHAIN_ID_MISMATCH,
          "header is for chain '" + header.getChainId() + "', expected '" + chainId + "'");
    }
    if (header.getHeight() <= 0) {
      throw new LightClientException(HEIGHT_MISMATCH, "header height must be positive");
    }
    requireLength(header.getValidatorsHash(), BlockHashes.HASH_LENGTH, "validators_hash");
    requireLength(header.getNextValidatorsHash(), BlockHashes.HASH_LENGTH, "next_validators_hash");
    requireLength(header.getProposerAddress(), BlockHashes.ADDRESS_LENGTH, "proposer_address");
    Instant time = Instant.ofEpochSecond(header.getTime().getSeconds(), header.getTime().getNanos());
    if (now != null && time.isAfter(now.plus(maxClockDrift))) {
      throw new LightClientException(
          BAD_HEADER_TIME,
          "header time " + time + " is more than " + maxClockDrift + " after now (" + now + ")");
    }
  }

  /** {@code VerifyCommitLight}, but checking every COMMIT signature. */
  private void verifyCommitSignatures(Types.Commit commit, List<ValidatorOuterClass.Validator> vals)
      throws LightClientException {
    if (commit.getSignaturesCount() != vals.size()) {
      throw new LightClientException(
          VALIDATOR_SET_MISMATCH,
          "commit has " + commit.getSignaturesCount() + " signatures for " + vals.size()
              + " validators");
    }
    long total = 0;
    long signed = 0;
    for (int i = 0; i < vals.size(); i++) {
      ValidatorOuterClass.Validator val = vals.get(i);
      total = addPower(total, val.getVotingPower());
      Types.CommitSig sig = commit.getSignatures(i);
      switch (sig.getBlockIdFlag()) {
        case BLOCK_ID_FLAG_ABSENT:
        case BLOCK_ID_FLAG_NIL:
          // Absent validators did not vote; nil votes do not count towards this block.
          continue;
        case BLOCK_ID_FLAG_COMMIT:
          break;
        default:
          throw new LightClientException(
              MALFORMED_HEADER, "signature " + i + " has flag " + sig.getBlockIdFlag());
      }
      Keys.PublicKey key = val.getPubKey();
      if (key.getSumCase() != Keys.PublicKey.SumCase.ED25519
          || key.getEd25519().size() != ED25519_KEY_LENGTH) {
        throw new LightClientException(
            UNSUPPORTED_KEY_TYPE, "validator " + i + " does not have an Ed25519 key");
      }
      byte[] address = BlockHashes.address(key);
      if (!MessageDigest.isEqual(address, sig.getValidatorAddress().toByteArray())
          || (!val.getAddress().isEmpty()
              && !MessageDigest.isEqual(address, val.getAddress().toByteArray()))) {
        throw new LightClientException(
            VALIDATOR_SET_MISMATCH,
            "signature " + i + " is from " + hex(sig.getValidatorAddress()) + ", validator " + i
                + " is " + hex(ByteString.copyFrom(address)));
      }
      byte[] signBytes = VoteSignBytes.forCommitSig(chainId, commit, sig);
      if (!verifyEd25519(key.getEd25519().toByteArray(), signBytes, sig.getSignature())) {
        throw new LightClientException(
            BAD_SIGNATURE,
            "invalid signature " + i + " from validator " + hex(sig.getValidatorAddress()));
      }
      signed = addPower(signed, val.getVotingPower());
    }
    // Strictly more than 2/3: signed * 3 > total * 2 (CometBFT: total * 2 / 3, then >).
    if (multiply(signed, 3) <= multiply(total, 2)) {
      throw new LightClientException(
          INSUFFICIENT_VOTING_POWER,
          "signatures carry " + signed + " of " + total + " voting power, need more than 2/3");
    }
  }

  private static boolean verifyEd25519(byte[] key, byte[] message, ByteString signature) {
    if (signature.size() != ED25519_SIGNATURE_LENGTH) {
      return false;
    }
    try {
      Ed25519Signer verifier = new Ed25519Signer();
      verifier.init(false, new Ed25519PublicKeyParameters(key, 0));
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature.toByteArray());
    } catch (RuntimeException e) {
      // An undecodable point is just an invalid signature.
      return false;
    }
  }

  private static Types.Header requireHeader(Types.SignedHeader sh) throws LightClientException {
    if (sh == null || !sh.hasHeader()) {
      throw new LightClientException(MALFORMED_HEADER, "signed header has no header");
    }
    return sh.getHeader();
  }

  private static void requireLength(ByteString b, int length, String field)
      throws LightClientException {
    if (b.size() != length) {
      throw new LightClientException(
          MALFORMED_HEADER, field + " must be " + length + " bytes, is " + b.size());
    }
  }

  private static long addPower(long a, long b) throws LightClientException {
    if (b <= 0) {
      throw new LightClientException(VALIDATOR_SET_MISMATCH, "non-positive voting power " + b);
    }
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      throw new LightClientException(VALIDATOR_SET_MISMATCH, "total voting power overflows");
    }
  }

  private static long multiply(long a, int b) throws LightClientException {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      throw new LightClientException(VALIDATOR_SET_MISMATCH, "voting power too large");
    }
  }

  private static int compare(Timestamp a, Timestamp b) {
    int c = Long.compare(a.getSeconds(), b.getSeconds());
    return c != 0 ? c : Integer.compare(a.getNanos(), b.getNanos());
  }

  private static String hex(ByteString b) {
    return hex(b.toByteArray());
  }

  private static String hex(byte[] b) {
    return HexFormat.of().withUpperCase().formatHex(b);
  }
}
