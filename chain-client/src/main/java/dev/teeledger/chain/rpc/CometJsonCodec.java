package dev.teeledger.chain.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import tendermint.crypto.Keys;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;
import tendermint.version.Types.Consensus;

/**
 * Converts the JSON that CometBFT v0.38's RPC writes into the generated protobuf types and the
 * records of this package. Used by {@link CometRpcClient}, and by tests and tools that read saved
 * RPC answers. Every method is a pure function of its input and is thread-safe.
 *
 * <p>CometBFT's JSON ({@code libs/json}) writes 64-bit integers as decimal strings, 32-bit ones
 * as numbers, {@code HexBytes} (block, header and part-set hashes, {@code app_hash}, addresses)
 * as upper-case hex, other {@code []byte} (txs, signatures, query keys and values, public keys)
 * as standard base64, and times as RFC 3339 with up to nine fractional digits. Missing or
 * ill-typed fields raise {@link ChainRpcException.Kind#MALFORMED_RESPONSE}, never a stray
 * runtime exception.
 */
public final class CometJsonCodec {

  private static final String ED25519_JSON_TYPE = "tendermint/PubKeyEd25519";
  private static final String SECP256K1_JSON_TYPE = "tendermint/PubKeySecp256k1";

  private CometJsonCodec() {}

  // ---- consensus structures -------------------------------------------------------------

  /** {@code {"header":{..},"commit":{..}}} as found under {@code result.signed_header}. */
  public static Types.SignedHeader signedHeader(JsonNode node) throws ChainRpcException {
    return Types.SignedHeader.newBuilder()
        .setHeader(header(field(node, "header")))
        .setCommit(commit(field(node, "commit")))
        .build();
  }

  /** A block header. */
  public static Types.Header header(JsonNode h) throws ChainRpcException {
    JsonNode version = field(h, "version");
    return Types.Header.newBuilder()
        .setVersion(
            Consensus.newBuilder()
                .setBlock(int64(version, "block"))
                .setApp(optionalInt64(version, "app")))
        .setChainId(string(h, "chain_id"))
        .setHeight(int64(h, "height"))
        .setTime(timestamp(string(h, "time")))
        .setLastBlockId(blockId(field(h, "last_block_id")))
        .setLastCommitHash(hex(h, "last_commit_hash"))
        .setDataHash(hex(h, "data_hash"))
        .setValidatorsHash(hex(h, "validators_hash"))
        .setNextValidatorsHash(hex(h, "next_validators_hash"))
        .setConsensusHash(hex(h, "consensus_hash"))
        .setAppHash(hex(h, "app_hash"))
        .setLastResultsHash(hex(h, "last_results_hash"))
        .setEvidenceHash(hex(h, "evidence_hash"))
        .setProposerAddress(hex(h, "proposer_address"))
        .build();
  }

  /**
   * A block id {@code {"hash":HEX,"parts":{"total":N,"hash":HEX}}}. The part-set header is always
   * set, even when zero, because CometBFT encodes it as a non-nullable field (it is part of the
   * header hash at height 1, where the last block id is empty).
   */
  public static Types.BlockID blockId(JsonNode b) throws ChainRpcException {
    JsonNode parts = field(b, "parts");
    return Types.BlockID.newBuilder()
        .setHash(hex(b, "hash"))
        .setPartSetHeader(
            Types.PartSetHeader.newBuilder()
                .setTotal(uint32(parts, "total"))
                .setHash(hex(parts, "hash")))
        .build();
  }

  /** A commit with its signatures in validator-set order. */
  public static Types.Commit commit(JsonNode c) throws ChainRpcException {
    Types.Commit.Builder commit =
        Types.Commit.newBuilder()
            .setHeight(int64(c, "height"))
            .setRound(int32(c, "round"))
            .setBlockId(blockId(field(c, "block_id")));
    for (JsonNode s : array(c, "signatures")) {
      int flag = int32(s, "block_id_flag");
      ValidatorOuterClass.BlockIDFlag f = ValidatorOuterClass.BlockIDFlag.forNumber(flag);
      if (f == null) {
        throw malformed("unknown block_id_flag " + flag);
      }
      commit.addSignatures(
          Types.CommitSig.newBuilder()
              .setBlockIdFlag(f)
              .setValidatorAddress(hex(s, "validator_address"))
              .setTimestamp(timestamp(string(s, "timestamp")))
              .setSignature(base64(s, "signature")));
    }
    return commit.build();
  }

  /** One entry of {@code /validators}: address, pub key, voting power, proposer priority. */
  public static ValidatorOuterClass.Validator validator(JsonNode v) throws ChainRpcException {
    return ValidatorOuterClass.Validator.newBuilder()
        .setAddress(hex(v, "address"))
        .setPubKey(publicKey(field(v, "pub_key")))
        .setVotingPower(int64(v, "voting_power"))
        .setProposerPriority(optionalInt64(v, "proposer_priority"))
        .build();
  }

  /**
   * An amino-JSON public key {@code {"type":"tendermint/PubKeyEd25519","value":BASE64}} (also
   * secp256k1), as in {@code /validators} and {@code genesis.json}.
   */
  public static Keys.PublicKey publicKey(JsonNode k) throws ChainRpcException {
    String type = string(k, "type");
    ByteString value = base64(k, "value");
    return switch (type) {
      case ED25519_JSON_TYPE -> Keys.PublicKey.newBuilder().setEd25519(value).build();
      case SECP256K1_JSON_TYPE -> Keys.PublicKey.newBuilder().setSecp256K1(value).build();
      default -> throw malformed("unsupported public key type " + type);
    };
  }

  /** Parses an RFC 3339 time with up to nine fractional digits into a protobuf Timestamp. */
  public static Timestamp timestamp(String text) throws ChainRpcException {
    try {
      Instant t = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    } catch (DateTimeException e) {
      throw malformed("bad RFC 3339 time '" + text + "'");
    }
  }

  // ---- RPC results ------------------------------------------------------------------------

  /** {@code result} of {@code /status}. */
  public static NodeStatus status(JsonNode r) throws ChainRpcException {
    JsonNode nodeInfo = field(r, "node_info");
    JsonNode sync = field(r, "sync_info");
    return new NodeStatus(
        string(nodeInfo, "network"),
        string(nodeInfo, "id"),
        nodeInfo.path("moniker").asText(""),
        nodeInfo.path("version").asText(""),
        int64(sync, "latest_block_height"),
        hex(sync, "latest_block_hash").toByteArray(),
        hex(sync, "latest_app_hash").toByteArray(),
        instant(string(sync, "latest_block_time")),
        field(sync, "catching_up").asBoolean());
  }

  /** {@code result} of {@code broadcast_tx_sync} / {@code broadcast_tx_async}. */
  public static BroadcastResult broadcast(JsonNode r) throws ChainRpcException {
    return new BroadcastResult(
        int32(r, "code"),
        base64(r, "data").toByteArray(),
        r.path("log").asText(""),
        r.path("codespace").asText(""),
        hex(r, "hash").toByteArray());
  }

  /** {@code result} of {@code broadcast_tx_commit}. */
  public static TxCommitResult broadcastCommit(JsonNode r) throws ChainRpcException {
    return new TxCommitResult(
        txResult(field(r, "check_tx")),
        txResult(field(r, "tx_result")),
        hex(r, "hash").toByteArray(),
        int64(r, "height"));
  }

  /** A CheckTx or FinalizeBlock transaction result. */
  public static AbciTxResult txResult(JsonNode r) throws ChainRpcException {
    return new AbciTxResult(
        (int) optionalInt64(r, "code"),
        base64(r, "data").toByteArray(),
        r.path("log").asText(""),
        r.path("info").asText(""),
        optionalInt64(r, "gas_wanted"),
        optionalInt64(r, "gas_used"),
        events(r.get("events")),
        r.path("codespace").asText(""));
  }

  /** {@code result} of {@code /tx}. */
  public static IndexedTx indexedTx(JsonNode r) throws ChainRpcException {
    return new IndexedTx(
        hex(r, "hash").toByteArray(),
        int64(r, "height"),
        int32(r, "index"),
        txResult(field(r, "tx_result")),
        base64(r, "tx").toByteArray());
  }

  /** {@code result} of {@code abci_query}; reads {@code result.response}. */
  public static AbciQueryResult abciQuery(JsonNode r) throws ChainRpcException {
    JsonNode resp = field(r, "response");
    List<ProofOp> ops = new ArrayList<>();
    JsonNode proofOps = resp.get("proofOps");
    if (proofOps != null && !proofOps.isNull()) {
      for (JsonNode op : array(proofOps, "ops")) {
        ops.add(
            new ProofOp(
                string(op, "type"), base64(op, "key").toByteArray(), base64(op, "data").toByteArray()));
      }
    }
    JsonNode value = resp.get("value");
    return new AbciQueryResult(
        (int) optionalInt64(resp, "code"),
        resp.path("log").asText(""),
        resp.path("info").asText(""),
        optionalInt64(resp, "index"),
        base64(resp, "key").toByteArray(),
        value == null || value.isNull() ? null : base64(resp, "value").toByteArray(),
        ops,
        int64(resp, "height"),
        resp.path("codespace").asText(""));
  }

  /** {@code result} of {@code /block}. */
  public static BlockResponse block(JsonNode r) throws ChainRpcException {
    JsonNode block = field(r, "block");
    List<byte[]> txs = new ArrayList<>();
    JsonNode data = field(block, "data");
    JsonNode txNodes = data.get("txs");
    if (txNodes != null && !txNodes.isNull()) {
      if (!txNodes.isArray()) {
        throw malformed("field 'txs' is not an array");
      }
      for (JsonNode tx : txNodes) {
        txs.add(decodeBase64(tx.asText(), "txs[]"));
      }
    }
    JsonNode evidence = block.path("evidence").path("evidence");
    JsonNode lastCommit = block.get("last_commit");
    return new BlockResponse(
        blockId(field(r, "block_id")),
        header(field(block, "header")),
        txs,
        lastCommit == null || lastCommit.isNull()
            ? Types.Commit.getDefaultInstance()
            : commit(lastCommit),
        evidence.isArray() ? evidence.size() : 0);
  }

  /** {@code result} of {@code /block_results}. */
  public static BlockResults blockResults(JsonNode r) throws ChainRpcException {
    List<AbciTxResult> txs = new ArrayList<>();
    JsonNode txNodes = r.get("txs_results");
    if (txNodes != null && !txNodes.isNull()) {
      for (JsonNode t : txNodes) {
        txs.add(txResult(t));
      }
    }
    List<BlockResults.ValidatorUpdate> updates = new ArrayList<>();
    JsonNode upd = r.get("validator_updates");
    if (upd != null && !upd.isNull()) {
      for (JsonNode u : upd) {
        updates.add(validatorUpdate(u));
      }
    }
    return new BlockResults(
        int64(r, "height"),
        txs,
        events(r.get("finalize_block_events")),
        updates,
        base64(r, "app_hash").toByteArray());
  }

  /**
   * A validator update from {@code block_results}. Its key is the protobuf {@code PublicKey}
   * oneof in gogoproto's JSON form: {@code {"Sum":{"type":"tendermint.crypto.PublicKey_Ed25519",
   * "value":{"ed25519":BASE64}}}}.
   */
  private static BlockResults.ValidatorUpdate validatorUpdate(JsonNode u) throws ChainRpcException {
    JsonNode value = field(field(field(u, "pub_key"), "Sum"), "value");
    String keyType;
    byte[] key;
    if (value.has("ed25519")) {
      keyType = "ed25519";
      key = base64(value, "ed25519").toByteArray();
    } else if (value.has("secp256k1")) {
      keyType = "secp256k1";
      key = base64(value, "secp256k1").toByteArray();
    } else {
      throw malformed("validator update with unknown key type");
    }
    return new BlockResults.ValidatorUpdate(keyType, key, optionalInt64(u, "power"));
  }

  private static List<AbciEvent> events(JsonNode events) throws ChainRpcException {
    List<AbciEvent> out = new ArrayList<>();
    if (events == null || events.isNull()) {
      return out;
    }
    if (!events.isArray()) {
      throw malformed("field 'events' is not an array");
    }
    for (JsonNode e : events) {
      List<AbciEvent.Attribute> attrs = new ArrayList<>();
      JsonNode a = e.get("attributes");
      if (a != null && a.isArray()) {
        for (JsonNode kv : a) {
          attrs.add(
              new AbciEvent.Attribute(
                  kv.path("key").asText(""), kv.path("value").asText(""), kv.path("index").asBoolean()));
        }
      }
      out.add(new AbciEvent(string(e, "type"), attrs));
    }
    return out;
  }

  // ---- field helpers ----------------------------------------------------------------------

  static JsonNode field(JsonNode node, String name) throws ChainRpcException {
    if (node == null || !node.isObject()) {
      throw malformed("expected an object holding '" + name + "'");
    }
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw malformed("missing field '" + name + "'");
    }
    return v;
  }

  private static JsonNode array(JsonNode node, String name) throws ChainRpcException {
    JsonNode v = node == null ? null : node.get(name);
    if (v == null || v.isNull()) {
      return JsonNodeFactory.instance.arrayNode();
    }
    if (!v.isArray()) {
      throw malformed("field '" + name + "' is not an array");
    }
    return v;
  }

  private static String string(JsonNode node, String name) throws ChainRpcException {
    JsonNode v = field(node, name);
    if (!v.isTextual()) {
      throw malformed("field '" + name + "' is not a string");
    }
    return v.asText();
  }

  /** int64 fields are strings in CometBFT JSON; plain numbers are accepted too. */
  private static long int64(JsonNode node, String name) throws ChainRpcException {
    return parseLong(field(node, name), name);
  }

  private static long optionalInt64(JsonNode node, String name) throws ChainRpcException {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? 0 : parseLong(v, name);
  }

  private static long parseLong(JsonNode v, String name) throws ChainRpcException {
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    if (v.isTextual()) {
      try {
        return Long.parseLong(v.asText());
      } catch (NumberFormatException e) {
        throw malformed("field '" + name + "' is not an int64: '" + v.asText() + "'");
      }
    }
    throw malformed("field '" + name + "' is not an integer");
  }

  private static int int32(JsonNode node, String name) throws ChainRpcException {
    long v = parseLong(field(node, name), name);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw malformed("field '" + name + "' out of int32 range: " + v);
    }
    return (int) v;
  }

  private static int uint32(JsonNode node, String name) throws ChainRpcException {
    long v = parseLong(field(node, name), name);
    if (v < 0 || v > 0xFFFF_FFFFL) {
      throw malformed("field '" + name + "' out of uint32 range: " + v);
    }
    return (int) v;
  }

  /** Hex bytes; absent, null or empty string mean empty bytes. */
  private static ByteString hex(JsonNode node, String name) throws ChainRpcException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return ByteString.EMPTY;
    }
    if (!v.isTextual()) {
      throw malformed("field '" + name + "' is not a hex string");
    }
    try {
      return ByteString.copyFrom(HexFormat.of().parseHex(v.asText()));
    } catch (IllegalArgumentException e) {
      throw malformed("field '" + name + "' is not valid hex");
    }
  }

  /** Base64 bytes; absent, null or empty string mean empty bytes. */
  private static ByteString base64(JsonNode node, String name) throws ChainRpcException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return ByteString.EMPTY;
    }
    if (!v.isTextual()) {
      throw malformed("field '" + name + "' is not a base64 string");
    }
    return ByteString.copyFrom(decodeBase64(v.asText(), name));
  }

  private static byte[] decodeBase64(String text, String name) throws ChainRpcException {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw malformed("field '" + name + "' is not valid base64");
    }
  }

  private static Instant instant(String text) throws ChainRpcException {
    Timestamp t = timestamp(text);
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static ChainRpcException malformed(String message) {
    return ChainRpcException.of(ChainRpcException.Kind.MALFORMED_RESPONSE, null, message, null);
  }
}
