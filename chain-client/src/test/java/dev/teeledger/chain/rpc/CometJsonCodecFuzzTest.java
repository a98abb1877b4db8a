package dev.teeledger.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teeledger.chain.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mutated real answers must decode or fail with {@link ChainRpcException}, never with a stray
 * runtime exception.
 */
class CometJsonCodecFuzzTest {

  private static final JsonNode COMMIT = Fixtures.result("four/commit_absent.json");
  private static final JsonNode VALIDATORS = Fixtures.result("four/validators_20.json");
  private static final JsonNode BLOCK_RESULTS = Fixtures.result("four/block_results_17.json");
  private static final JsonNode QUERY = Fixtures.result("single/abci_query.json");
  private static final JsonNode STATUS = Fixtures.result("single/status.json");

  static LongStream seeds() {
    return LongStream.range(0, 400);
  }

  /** Seeded mutations; the seed in the test name reproduces a failure. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void mutatedCommitsFailOnlyWithTypedErrors(long seed) {
    int mutations = 1 + (int) Math.floorMod(seed * 31 + 7, 4L);
    JsonNode doc = mutate(COMMIT, seed, mutations);
    assertTypedOutcome(() -> CometJsonCodec.signedHeader(doc.path("signed_header")));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void mutatedOtherAnswersFailOnlyWithTypedErrors(long seed) {
    int mutations = 1 + (int) Math.floorMod(seed * 17 + 3, 3L);
    JsonNode vals = mutate(VALIDATORS, seed, mutations);
    assertTypedOutcome(() -> CometJsonCodec.validator(vals.path("validators").path(0)));
    assertTypedOutcome(() -> CometJsonCodec.blockResults(mutate(BLOCK_RESULTS, seed, mutations)));
    assertTypedOutcome(() -> CometJsonCodec.abciQuery(mutate(QUERY, seed, mutations)));
    assertTypedOutcome(() -> CometJsonCodec.status(mutate(STATUS, seed, mutations)));
  }

  @FunctionalInterface
  private interface Decode {
    Object run() throws ChainRpcException;
  }

  private static void assertTypedOutcome(Decode decode) {
    try {
      assertThat(decode.run()).isNotNull();
    } catch (ChainRpcException e) {
      assertThat(e.kind()).isEqualTo(ChainRpcException.Kind.MALFORMED_RESPONSE);
    }
  }

  /** Replaces or removes random nodes of a deep copy. */
  private static JsonNode mutate(JsonNode original, long seed, int count) {
    Random random = new Random(seed);
    JsonNode doc = original.deepCopy();
    for (int i = 0; i < count; i++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(doc, containers);
      JsonNode target = containers.get(random.nextInt(containers.size()));
      if (target instanceof ObjectNode o && o.size() > 0) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        String name = names.get(random.nextInt(names.size()));
        if (random.nextInt(4) == 0) {
          o.remove(name);
        } else {
          o.set(name, randomValue(random));
        }
      } else if (target instanceof ArrayNode a && a.size() > 0) {
        a.set(random.nextInt(a.size()), randomValue(random));
      }
    }
    return doc;
  }

  private static void collect(JsonNode node, List<JsonNode> out) {
    if (node.isContainerNode()) {
      out.add(node);
      node.elements().forEachRemaining(c -> collect(c, out));
    }
  }

  private static JsonNode randomValue(Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(10)) {
      case 0 -> f.nullNode();
      case 1 -> f.textNode("");
      case 2 -> f.textNode("ZZ");
      case 3 -> f.textNode("-9223372036854775809");
      case 4 -> f.numberNode(random.nextLong());
      case 5 -> f.numberNode(1.5);
      case 6 -> f.booleanNode(true);
      case 7 -> f.objectNode();
      case 8 -> f.arrayNode().add(1);
      default -> f.textNode("AAEC");
    };
  }
}
