package dev.teeledger.chain.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Timestamp;
import dev.teeledger.chain.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/** Parsing of answers captured from real CometBFT v0.38.25 nodes. */
class CometJsonCodecTest {

  private static final HexFormat HEX = HexFormat.of().withUpperCase();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void parsesSignedHeader() throws Exception {
    Types.SignedHeader sh =
        CometJsonCodec.signedHeader(Fixtures.result("single/commit_6.json").get("signed_header"));
    Types.Header h = sh.getHeader();
    assertThat(h.getChainId()).isEqualTo(Fixtures.SINGLE_CHAIN_ID);
    assertThat(h.getHeight()).isEqualTo(6);
    assertThat(h.getVersion().getBlock()).isEqualTo(11);
    assertThat(h.getVersion().getApp()).isEqualTo(1);
    assertThat(h.getTime())
        .isEqualTo(Timestamp.newBuilder().setSeconds(1795882838L).setNanos(762436920).build());
    assertThat(HEX.formatHex(h.getLastBlockId().getHash().toByteArray()))
        .isEqualTo("359CB4736BC17B9ADCDD19BECEA01B4FF12AFFEF31FC4AFDF9106E8F6AA5DF60");
    assertThat(h.getLastBlockId().getPartSetHeader().getTotal()).isEqualTo(1);
    assertThat(h.getAppHash().size()).isEqualTo(8);
    assertThat(h.getProposerAddress().size()).isEqualTo(20);
    Types.Commit c = sh.getCommit();
    assertThat(c.getHeight()).isEqualTo(6);
    assertThat(c.getSignaturesCount()).isEqualTo(1);
    assertThat(c.getSignatures(0).getBlockIdFlag())
        .isEqualTo(ValidatorOuterClass.BlockIDFlag.BLOCK_ID_FLAG_COMMIT);
    assertThat(c.getSignatures(0).getSignature().size()).isEqualTo(64);
  }

  @Test
  void parsesAbsentSignatureWithNullSignature() throws Exception {
    Types.Commit c =
        CometJsonCodec.signedHeader(Fixtures.result("four/commit_absent.json").get("signed_header"))
            .getCommit();
    Types.CommitSig absent =
        c.getSignaturesList().stream()
            .filter(s -> s.getBlockIdFlag() == ValidatorOuterClass.BlockIDFlag.BLOCK_ID_FLAG_ABSENT)
            .findFirst()
            .orElseThrow();
    assertThat(absent.getSignature().isEmpty()).isTrue();
    assertThat(absent.getValidatorAddress().isEmpty()).isTrue();
    assertThat(absent.getTimestamp().getSeconds()).isEqualTo(-62135596800L);
  }

  @Test
  void parsesValidatorWithAminoPubKey() throws Exception {
    ValidatorOuterClass.Validator v =
        CometJsonCodec.validator(Fixtures.result("four/validators_20.json").get("validators").get(1));
    assertThat(HEX.formatHex(v.getAddress().toByteArray()))
        .isEqualTo("E40A8B4EFF0DBB0DEA24EC4C5C11A520A14A59A8");
    assertThat(v.getPubKey().getEd25519().size()).isEqualTo(32);
    assertThat(v.getVotingPower()).isEqualTo(35);
  }

  @Test
  void parsesStatus() throws Exception {
    NodeStatus s = CometJsonCodec.status(Fixtures.result("single/status.json"));
    assertThat(s.chainId()).isEqualTo(Fixtures.SINGLE_CHAIN_ID);
    assertThat(s.version()).isEqualTo("0.38.25");
    assertThat(s.latestHeight()).isPositive();
    assertThat(s.latestBlockHash()).hasSize(32);
    assertThat(s.latestBlockTime()).isAfter(Instant.parse("2026-11-28T00:00:00Z"));
    assertThat(s.catchingUp()).isFalse();
  }

  @Test
  void parsesAbciQueryWithValueAndWithout() throws Exception {
    AbciQueryResult found = CometJsonCodec.abciQuery(Fixtures.result("single/abci_query.json"));
    assertThat(found.code()).isZero();
    assertThat(new String(found.key(), StandardCharsets.UTF_8)).isEqualTo("name");
    assertThat(new String(found.value(), StandardCharsets.UTF_8)).isEqualTo("satoshi");
    assertThat(found.proofOps()).isEmpty();
    assertThat(found.height()).isEqualTo(13);
    assertThat(found.index()).isEqualTo(-1);

    AbciQueryResult missing =
        CometJsonCodec.abciQuery(Fixtures.result("single/abci_query_missing.json"));
    assertThat(missing.value()).isNull();
    assertThat(missing.valueIfPresent()).isEmpty();
    assertThat(missing.log()).isEqualTo("does not exist");
  }

  @Test
  void parsesProofOps() throws Exception {
    ObjectNode r = (ObjectNode) Fixtures.result("single/abci_query.json").deepCopy();
    ObjectNode ops = ((ObjectNode) r.get("response")).putObject("proofOps");
    ObjectNode op = ops.putArray("ops").addObject();
    op.put("type", "teeledger:smt:v1");
    op.put("key", "bmFtZQ==");
    op.put("data", "AQID");
    AbciQueryResult q = CometJsonCodec.abciQuery(r);
    assertThat(q.proofOps()).hasSize(1);
    assertThat(q.proofOps().get(0).type()).isEqualTo("teeledger:smt:v1");
    assertThat(q.proofOps().get(0).data()).containsExactly(1, 2, 3);
  }

  @Test
  void parsesIndexedTxAndEvents() throws Exception {
    IndexedTx tx = CometJsonCodec.indexedTx(Fixtures.result("single/tx.json"));
    assertThat(tx.height()).isEqualTo(6);
    assertThat(tx.index()).isZero();
    assertThat(new String(tx.tx(), StandardCharsets.UTF_8)).isEqualTo("name=satoshi");
    assertThat(HEX.formatHex(tx.hash()))
        .isEqualTo("57D835FBBA0DBF922D8A2EDA56922C9B24E7760927F245A7684A736C4769DB8A");
    assertThat(tx.result().ok()).isTrue();
    assertThat(tx.result().events()).hasSize(2);
    assertThat(tx.result().events().get(0).attributes().get(1))
        .isEqualTo(new AbciEvent.Attribute("key", "name", true));
  }

  @Test
  void parsesBroadcastAnswers() throws Exception {
    BroadcastResult sync = CometJsonCodec.broadcast(Fixtures.result("single/broadcast_tx_sync.json"));
    assertThat(sync.accepted()).isTrue();
    assertThat(sync.hash()).hasSize(32);
    TxCommitResult commit =
        CometJsonCodec.broadcastCommit(Fixtures.result("single/broadcast_tx_commit.json"));
    assertThat(commit.height()).isPositive();
    assertThat(commit.checkTx().gasWanted()).isEqualTo(1);
    assertThat(commit.txResult().events()).isNotEmpty();
  }

  @Test
  void parsesBlockAndBlockResults() throws Exception {
    BlockResponse b = CometJsonCodec.block(Fixtures.result("single/block_6.json"));
    assertThat(b.header().getHeight()).isEqualTo(6);
    assertThat(b.txs()).hasSize(1);
    assertThat(new String(b.txs().get(0), StandardCharsets.UTF_8)).isEqualTo("name=satoshi");
    assertThat(b.lastCommit().getHeight()).isEqualTo(5);
    assertThat(b.evidenceCount()).isZero();

    BlockResults r = CometJsonCodec.blockResults(Fixtures.result("single/block_results_6.json"));
    assertThat(r.height()).isEqualTo(6);
    assertThat(r.txResults()).hasSize(1);
    assertThat(r.appHash()).containsExactly(2, 0, 0, 0, 0, 0, 0, 0);
    assertThat(r.validatorUpdates()).isEmpty();
  }

  @Test
  void parsesValidatorUpdatesInBlockResults() throws Exception {
    BlockResults r = CometJsonCodec.blockResults(Fixtures.result("four/block_results_17.json"));
    assertThat(r.validatorUpdates()).hasSize(1);
    BlockResults.ValidatorUpdate u = r.validatorUpdates().get(0);
    assertThat(u.keyType()).isEqualTo("ed25519");
    assertThat(u.pubKey()).hasSize(32);
    assertThat(u.power()).isEqualTo(35);
  }

  @Test
  void parsesRfc3339TimesWithAnyFractionAndOffset() throws Exception {
    assertThat(CometJsonCodec.timestamp("2026-11-28T16:20:38.76243692Z").getNanos())
        .isEqualTo(762436920);
    assertThat(CometJsonCodec.timestamp("2026-11-28T16:20:38Z").getNanos()).isZero();
    assertThat(CometJsonCodec.timestamp("2026-11-28T17:20:38.5+01:00"))
        .isEqualTo(CometJsonCodec.timestamp("2026-11-28T16:20:38.500Z"));
    assertThat(CometJsonCodec.timestamp("0001-01-01T00:00:00Z").getSeconds())
        .isEqualTo(-62135596800L);
  }

  @Test
  void rejectsMalformedFieldsWithTypedError() {
    JsonNode good = Fixtures.result("single/commit_6.json").get("signed_header");
    for (String[] edit :
        new String[][] {
          {"height", "\"six\""},
          {"height", "null"},
          {"app_hash", "\"XYZ\""},
          {"time", "\"yesterday\""},
          {"chain_id", "7"},
          {"last_block_id", "null"},
        }) {
      ObjectNode copy = good.deepCopy();
      try {
        ((ObjectNode) copy.get("header")).set(edit[0], MAPPER.readTree(edit[1]));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      assertThatThrownBy(() -> CometJsonCodec.signedHeader(copy))
          .as("%s = %s", edit[0], edit[1])
          .isInstanceOf(ChainRpcException.class)
          .satisfies(
              e ->
                  assertThat(((ChainRpcException) e).kind())
                      .isEqualTo(ChainRpcException.Kind.MALFORMED_RESPONSE));
    }
  }

  @Test
  void rejectsBadSignatureEncodingAndUnknownFlag() throws Exception {
    ObjectNode copy = Fixtures.result("single/commit_6.json").get("signed_header").deepCopy();
    ObjectNode sig = (ObjectNode) copy.get("commit").get("signatures").get(0);
    sig.put("signature", "!!!not base64");
    assertThatThrownBy(() -> CometJsonCodec.signedHeader(copy))
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("base64");
    sig.put("signature", "AA==");
    sig.put("block_id_flag", 9);
    assertThatThrownBy(() -> CometJsonCodec.signedHeader(copy))
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("block_id_flag");
  }

  @Test
  void rejectsUnknownPubKeyType() throws Exception {
    JsonNode k = MAPPER.readTree("{\"type\":\"tendermint/PubKeyBls12_381\",\"value\":\"AA==\"}");
    assertThatThrownBy(() -> CometJsonCodec.publicKey(k))
        .isInstanceOf(ChainRpcException.class)
        .hasMessageContaining("unsupported public key type");
  }
}
