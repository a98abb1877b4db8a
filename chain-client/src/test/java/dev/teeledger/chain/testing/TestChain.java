package dev.teeledger.chain.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.teeledger.chain.light.BlockHashes;
import dev.teeledger.chain.light.VoteSignBytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import tendermint.crypto.Keys;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;
import tendermint.version.Types.Consensus;

/**
 * A synthetic chain with deterministic Ed25519 validators that signs headers exactly as CometBFT
 * does, and renders them as CometBFT RPC JSON. Used where real fixtures cannot carry the app
 * hash a test needs (proof verification) or the edge case (exactly 2/3 signed).
 */
public final class TestChain {

  /** A validator with its signing key. */
  public record Signer(Ed25519PrivateKeyParameters key, ValidatorOuterClass.Validator validator) {}

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of().withUpperCase();

  private final String chainId;
  private final List<Signer> signers;

  /** Validators with the given powers, keys derived from {@code seedLabel} and their index. */
  public TestChain(String chainId, String seedLabel, long... powers) {
    this.chainId = chainId;
    List<Signer> s = new ArrayList<>();
    for (int i = 0; i < powers.length; i++) {
      Ed25519PrivateKeyParameters key =
          new Ed25519PrivateKeyParameters(sha256(seedLabel + "/" + i), 0);
      Keys.PublicKey pub =
          Keys.PublicKey.newBuilder()
              .setEd25519(ByteString.copyFrom(key.generatePublicKey().getEncoded()))
              .build();
      s.add(
          new Signer(
              key,
              ValidatorOuterClass.Validator.newBuilder()
                  .setAddress(ByteString.copyFrom(BlockHashes.address(pub)))
                  .setPubKey(pub)
                  .setVotingPower(powers[i])
                  .build()));
    }
    // CometBFT's set order: power descending, then address ascending.
    s.sort(
        Comparator.comparingLong((Signer x) -> -x.validator().getVotingPower())
            .thenComparing(
                (a, b) ->
                    Arrays.compareUnsigned(
                        a.validator().getAddress().toByteArray(),
                        b.validator().getAddress().toByteArray())));
    this.signers = List.copyOf(s);
  }

  public String chainId() {
    return chainId;
  }

  public List<Signer> signers() {
    return signers;
  }

  public ValidatorOuterClass.ValidatorSet validatorSet() {
    long total = signers.stream().mapToLong(x -> x.validator().getVotingPower()).sum();
    return ValidatorOuterClass.ValidatorSet.newBuilder()
        .addAllValidators(signers.stream().map(Signer::validator).toList())
        .setTotalVotingPower(total)
        .build();
  }

  /** A header at {@code height} with {@code appHash}, signed by the validators at {@code by}. */
  public Types.SignedHeader signedHeader(
      long height, byte[] appHash, Instant time, Set<Integer> by) {
    byte[] valsHash = BlockHashes.validatorSet(validatorSet().getValidatorsList());
    Types.Header header =
        Types.Header.newBuilder()
            .setVersion(Consensus.newBuilder().setBlock(11).setApp(1))
            .setChainId(chainId)
            .setHeight(height)
            .setTime(ts(time))
            .setLastBlockId(
                Types.BlockID.newBuilder()
                    .setHash(bs(sha256("block/" + (height - 1))))
                    .setPartSetHeader(
                        Types.PartSetHeader.newBuilder()
                            .setTotal(1)
                            .setHash(bs(sha256("parts/" + (height - 1))))))
            .setLastCommitHash(bs(sha256("last_commit/" + height)))
            .setDataHash(bs(sha256("")))
            .setValidatorsHash(bs(valsHash))
            .setNextValidatorsHash(bs(valsHash))
            .setConsensusHash(bs(sha256("consensus")))
            .setAppHash(bs(appHash))
            .setLastResultsHash(bs(sha256("")))
            .setEvidenceHash(bs(sha256("")))
            .setProposerAddress(signers.get(0).validator().getAddress())
            .build();
    return sign(header, time.plusSeconds(1), by);
  }

  /** Signs {@code header} (possibly tampered) as the validators at {@code by}. */
  public Types.SignedHeader sign(Types.Header header, Instant voteTime, Set<Integer> by) {
    Types.Commit.Builder commit =
        Types.Commit.newBuilder()
            .setHeight(header.getHeight())
            .setRound(0)
            .setBlockId(
                Types.BlockID.newBuilder()
                    .setHash(bs(BlockHashes.header(header)))
                    .setPartSetHeader(
                        Types.PartSetHeader.newBuilder()
                            .setTotal(1)
                            .setHash(bs(sha256("parts/" + header.getHeight())))));
    Types.Commit unsigned = commit.build();
    for (int i = 0; i < signers.size(); i++) {
      if (!by.contains(i)) {
        commit.addSignatures(
            Types.CommitSig.newBuilder()
                .setBlockIdFlag(ValidatorOuterClass.BlockIDFlag.BLOCK_ID_FLAG_ABSENT)
                .setTimestamp(Timestamp.newBuilder().setSeconds(-62135596800L)));
        continue;
      }
      Types.CommitSig.Builder sig =
          Types.CommitSig.newBuilder()
              .setBlockIdFlag(ValidatorOuterClass.BlockIDFlag.BLOCK_ID_FLAG_COMMIT)
              .setValidatorAddress(signers.get(i).validator().getAddress())
              .setTimestamp(ts(voteTime.plusMillis(i)));
      byte[] msg = VoteSignBytes.forCommitSig(chainId, unsigned, sig.build());
      Ed25519Signer signer = new Ed25519Signer();
      signer.init(true, signers.get(i).key());
      signer.update(msg, 0, msg.length);
      commit.addSignatures(sig.setSignature(ByteString.copyFrom(signer.generateSignature())));
    }
    return Types.SignedHeader.newBuilder().setHeader(header).setCommit(commit).build();
  }

  // ---- CometBFT JSON -----------------------------------------------------------------------

  /** {@code result} of {@code /commit}. */
  public static ObjectNode commitResult(Types.SignedHeader sh) {
    ObjectNode r = MAPPER.createObjectNode();
    ObjectNode s = r.putObject("signed_header");
    Types.Header h = sh.getHeader();
    ObjectNode hj = s.putObject("header");
    ObjectNode version = hj.putObject("version");
    version.put("block", Long.toString(h.getVersion().getBlock()));
    version.put("app", Long.toString(h.getVersion().getApp()));
    hj.put("chain_id", h.getChainId());
    hj.put("height", Long.toString(h.getHeight()));
    hj.put("time", time(h.getTime()));
    hj.set("last_block_id", blockId(h.getLastBlockId()));
    hj.put("last_commit_hash", hex(h.getLastCommitHash()));
    hj.put("data_hash", hex(h.getDataHash()));
    hj.put("validators_hash", hex(h.getValidatorsHash()));
    hj.put("next_validators_hash", hex(h.getNextValidatorsHash()));
    hj.put("consensus_hash", hex(h.getConsensusHash()));
    hj.put("app_hash", hex(h.getAppHash()));
    hj.put("last_results_hash", hex(h.getLastResultsHash()));
    hj.put("evidence_hash", hex(h.getEvidenceHash()));
    hj.put("proposer_address", hex(h.getProposerAddress()));
    Types.Commit c = sh.getCommit();
    ObjectNode cj = s.putObject("commit");
    cj.put("height", Long.toString(c.getHeight()));
    cj.put("round", c.getRound());
    cj.set("block_id", blockId(c.getBlockId()));
    ArrayNode sigs = cj.putArray("signatures");
    for (Types.CommitSig sig : c.getSignaturesList()) {
      ObjectNode sj = sigs.addObject();
      sj.put("block_id_flag", sig.getBlockIdFlagValue());
      sj.put("validator_address", hex(sig.getValidatorAddress()));
      sj.put("timestamp", time(sig.getTimestamp()));
      if (sig.getSignature().isEmpty()) {
        sj.putNull("signature");
      } else {
        sj.put("signature", Base64.getEncoder().encodeToString(sig.getSignature().toByteArray()));
      }
    }
    r.put("canonical", true);
    return r;
  }

  /** {@code result} of {@code /validators} with all validators on one page. */
  public static ObjectNode validatorsResult(ValidatorOuterClass.ValidatorSet set, long height) {
    ObjectNode r = MAPPER.createObjectNode();
    r.put("block_height", Long.toString(height));
    ArrayNode vals = r.putArray("validators");
    for (ValidatorOuterClass.Validator v : set.getValidatorsList()) {
      ObjectNode vj = vals.addObject();
      vj.put("address", hex(v.getAddress()));
      ObjectNode pk = vj.putObject("pub_key");
      pk.put("type", "tendermint/PubKeyEd25519");
      pk.put("value", Base64.getEncoder().encodeToString(v.getPubKey().getEd25519().toByteArray()));
      vj.put("voting_power", Long.toString(v.getVotingPower()));
      vj.put("proposer_priority", "0");
    }
    r.put("count", Integer.toString(set.getValidatorsCount()));
    r.put("total", Integer.toString(set.getValidatorsCount()));
    return r;
  }

  private static ObjectNode blockId(Types.BlockID b) {
    ObjectNode j = MAPPER.createObjectNode();
    j.put("hash", hex(b.getHash()));
    ObjectNode parts = j.putObject("parts");
    parts.put("total", b.getPartSetHeader().getTotal());
    parts.put("hash", hex(b.getPartSetHeader().getHash()));
    return j;
  }

  private static String time(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  private static String hex(ByteString b) {
    return HEX.formatHex(b.toByteArray());
  }

  public static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static ByteString bs(byte[] b) {
    return ByteString.copyFrom(b);
  }

  public static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
