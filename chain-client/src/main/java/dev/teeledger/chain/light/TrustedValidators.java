package dev.teeledger.chain.light;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.CometJsonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import tendermint.types.ValidatorOuterClass;

/**
 * A validator set the caller trusts out of band: pinned in configuration or read from the
 * chain's {@code genesis.json}. It is the trust anchor of {@link HeaderVerifier#verifyTrusted}
 * and {@link VerifiedQueryClient}: a header is accepted only if its {@code validators_hash} is
 * this set's hash and more than 2/3 of this set's power signed it.
 *
 * <p>The validators are kept in CometBFT's set order (voting power descending, then address
 * ascending, as {@code types/validator_set.go} sorts them), whatever order they were given in,
 * so the hash matches the chain's. Addresses are derived from the keys. Immutable.
 */
public final class TrustedValidators {

  private final List<ValidatorOuterClass.Validator> validators;
  private final long totalVotingPower;
  private final byte[] hash;

  private TrustedValidators(List<ValidatorOuterClass.Validator> validators, long total) {
    this.validators = List.copyOf(validators);
    this.totalVotingPower = total;
    this.hash = BlockHashes.validatorSet(this.validators);
  }

  /**
   * Pins the given validators (e.g. a set fetched once and checked by an operator, or from
   * configuration). Proposer priorities are dropped since they are not part of the hash.
   *
   * @throws IllegalArgumentException if the set is empty, has a non-Ed25519 key, a non-positive
   *     power, a duplicate key, or a total power that overflows
   */
  public static TrustedValidators of(List<ValidatorOuterClass.Validator> validators) {
    if (validators.isEmpty()) {
      throw new IllegalArgumentException("a trusted validator set cannot be empty");
    }
    List<ValidatorOuterClass.Validator> normalized = new ArrayList<>(validators.size());
    long total = 0;
    for (ValidatorOuterClass.Validator v : validators) {
      byte[] address = BlockHashes.address(v.getPubKey());
      if (address == null) {
        throw new IllegalArgumentException("only Ed25519 validator keys are supported");
      }
      if (v.getPubKey().getEd25519().size() != 32) {
        throw new IllegalArgumentException("Ed25519 keys are 32 bytes");
      }
      if (v.getVotingPower() <= 0) {
        throw new IllegalArgumentException("voting power must be positive");
      }
      try {
        total = Math.addExact(total, v.getVotingPower());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("total voting power overflows", e);
      }
      normalized.add(
          ValidatorOuterClass.Validator.newBuilder()
              .setAddress(ByteString.copyFrom(address))
              .setPubKey(v.getPubKey())
              .setVotingPower(v.getVotingPower())
              .build());
    }
    normalized.sort(SET_ORDER);
    for (int i = 1; i < normalized.size(); i++) {
      if (normalized.get(i).getAddress().equals(normalized.get(i - 1).getAddress())) {
        throw new IllegalArgumentException("duplicate validator " + hex(normalized.get(i)));
      }
    }
    return new TrustedValidators(normalized, total);
  }

  /** Pins the set of a {@code ValidatorSet} (e.g. from {@code CometRpcClient.validators}). */
  public static TrustedValidators of(ValidatorOuterClass.ValidatorSet set) {
    return of(set.getValidatorsList());
  }

  /**
   * Reads the initial validators from a CometBFT {@code genesis.json} ({@code validators[]} with
   * {@code pub_key} and {@code power}). Valid as long as the chain has not changed its set.
   *
   * @throws IllegalArgumentException if the JSON is not a genesis document with validators
   */
  public static TrustedValidators fromGenesisJson(byte[] genesisJson) {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(genesisJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("genesis is not valid JSON", e);
    }
    JsonNode vals = root == null ? null : root.get("validators");
    if (vals == null || !vals.isArray() || vals.isEmpty()) {
      throw new IllegalArgumentException("genesis has no validators");
    }
    List<ValidatorOuterClass.Validator> out = new ArrayList<>();
    for (JsonNode v : vals) {
      try {
        long power = Long.parseLong(v.path("power").asText(""));
        out.add(
            ValidatorOuterClass.Validator.newBuilder()
                .setPubKey(CometJsonCodec.publicKey(v.get("pub_key")))
                .setVotingPower(power)
                .build());
      } catch (ChainRpcException | NumberFormatException e) {
        throw new IllegalArgumentException("bad genesis validator: " + e.getMessage(), e);
      }
    }
    return of(out);
  }

  /** Validators in set order, with addresses. */
  public List<ValidatorOuterClass.Validator> validators() {
    return validators;
  }

  /** The set as a protobuf message, in set order, with the total power filled in. */
  public ValidatorOuterClass.ValidatorSet toValidatorSet() {
    return ValidatorOuterClass.ValidatorSet.newBuilder()
        .addAllValidators(validators)
        .setTotalVotingPower(totalVotingPower)
        .build();
  }

  public long totalVotingPower() {
    return totalVotingPower;
  }

  /** The validators hash a header signed by this set carries. */
  public byte[] hash() {
    return hash.clone();
  }

  @Override
  public String toString() {
    return "TrustedValidators{n=" + validators.size() + ", power=" + totalVotingPower
        + ", hash=" + HexFormat.of().withUpperCase().formatHex(hash) + "}";
  }

  /** CometBFT's {@code ValidatorsByVotingPower}: power descending, then address ascending. */
  static final Comparator<ValidatorOuterClass.Validator> SET_ORDER =
      (a, b) -> {
        int byPower = Long.compare(b.getVotingPower(), a.getVotingPower());
        if (byPower != 0) {
          return byPower;
        }
        return Arrays.compareUnsigned(a.getAddress().toByteArray(), b.getAddress().toByteArray());
      };

  private static String hex(ValidatorOuterClass.Validator v) {
    return HexFormat.of().withUpperCase().formatHex(v.getAddress().toByteArray());
  }
}
