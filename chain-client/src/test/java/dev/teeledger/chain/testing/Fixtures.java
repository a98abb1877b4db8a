package dev.teeledger.chain.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.teeledger.chain.rpc.ChainRpcException;
import dev.teeledger.chain.rpc.CometJsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/**
 * Loads RPC answers captured from real CometBFT v0.38.25 nodes (kvstore app) under
 * {@code src/test/resources/fixtures/}: {@code single/} is a one-validator chain,
 * {@code four/} a four-validator chain (powers 10/20/30/40; at height 17 a tx changed the
 * 30-power validator to 35, so {@code next_validators_hash} changes in header 18 and
 * {@code validators_hash} in header 19; the 10-power node was then stopped, so
 * {@code commit_absent} has one ABSENT slot).
 */
public final class Fixtures {

  public static final String SINGLE_CHAIN_ID = "test-chain-Q04bRV";
  public static final String FOUR_CHAIN_ID = "chain-cYix3d";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Fixtures() {}

  public static byte[] bytes(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode json(String name) {
    try {
      return MAPPER.readTree(bytes(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code result} member of a captured answer. */
  public static JsonNode result(String name) {
    return json(name).get("result");
  }

  public static Types.SignedHeader signedHeader(String name) {
    try {
      return CometJsonCodec.signedHeader(result(name).get("signed_header"));
    } catch (ChainRpcException e) {
      throw new AssertionError(e);
    }
  }

  public static ValidatorOuterClass.ValidatorSet validators(String name) {
    try {
      ValidatorOuterClass.ValidatorSet.Builder set = ValidatorOuterClass.ValidatorSet.newBuilder();
      long total = 0;
      for (JsonNode v : result(name).get("validators")) {
        ValidatorOuterClass.Validator val = CometJsonCodec.validator(v);
        total += val.getVotingPower();
        set.addValidators(val);
      }
      return set.setTotalVotingPower(total).build();
    } catch (ChainRpcException e) {
      throw new AssertionError(e);
    }
  }
}
