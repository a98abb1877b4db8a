package dev.teeledger.chain.light;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tendermint.crypto.Keys;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/**
 * The hashes CometBFT v0.38 commits to, recomputed from protobuf values: the header hash that
 * validators sign ({@code types/block.go Header.Hash}), the validator-set hash
 * ({@code types/validator_set.go ValidatorSet.Hash}) and validator addresses
 * ({@code crypto/ed25519}: first 20 bytes of SHA-256 of the public key). Used by
 * {@link HeaderVerifier} and {@link TrustedValidators}. Pure and thread-safe.
 */
public final class BlockHashes {

  /** Length of header hashes, validator-set hashes and part-set hashes. */
  public static final int HASH_LENGTH = 32;
  /** Length of a validator address. */
  public static final int ADDRESS_LENGTH = 20;

  private BlockHashes() {}

  /**
   * Header.Hash(): the Merkle root of the fourteen field encodings in declaration order:
   * Consensus version, StringValue(chain_id), Int64Value(height), Timestamp(time), BlockID(last
   * block id), then BytesValue of last_commit_hash, data_hash, validators_hash,
   * next_validators_hash, consensus_hash, app_hash, last_results_hash, evidence_hash,
   * proposer_address. The wrapper types are gogoproto's {@code cdcEncode}; protobuf-java's
   * well-known wrappers encode identically (field 1, omitted when zero).
   */
  public static byte[] header(Types.Header h) {
    Types.BlockID last = h.getLastBlockId();
    // gogoproto writes the non-nullable part_set_header even when it is empty (height 1), so
    // the has-bit must be set explicitly to reproduce "12 00".
    Types.BlockID lastBlockId = last.toBuilder().setPartSetHeader(last.getPartSetHeader()).build();
    List<byte[]> fields =
        List.of(
            h.getVersion().toByteArray(),
            StringValue.of(h.getChainId()).toByteArray(),
            Int64Value.of(h.getHeight()).toByteArray(),
            h.getTime().toByteArray(),
            lastBlockId.toByteArray(),
            bytesValue(h.getLastCommitHash()),
            bytesValue(h.getDataHash()),
            bytesValue(h.getValidatorsHash()),
            bytesValue(h.getNextValidatorsHash()),
            bytesValue(h.getConsensusHash()),
            bytesValue(h.getAppHash()),
            bytesValue(h.getLastResultsHash()),
            bytesValue(h.getEvidenceHash()),
            bytesValue(h.getProposerAddress()));
    return MerkleRoot.of(fields);
  }

  /**
   * ValidatorSet.Hash(): the Merkle root over {@code SimpleValidator{pub_key, voting_power}}
   * encodings, in the given order (CometBFT's set order: voting power descending, then address
   * ascending). Proposer priority is not hashed, so it may change between heights.
   */
  public static byte[] validatorSet(List<ValidatorOuterClass.Validator> validators) {
    List<byte[]> leaves = new ArrayList<>(validators.size());
    for (ValidatorOuterClass.Validator v : validators) {
      leaves.add(
          ValidatorOuterClass.SimpleValidator.newBuilder()
              .setPubKey(v.getPubKey())
              .setVotingPower(v.getVotingPower())
              .build()
              .toByteArray());
    }
    return MerkleRoot.of(leaves);
  }

  /**
   * Address of an Ed25519 validator key: SHA-256(key)[0..20). Returns {@code null} for other key
   * types, which this client does not verify.
   */
  public static byte[] address(Keys.PublicKey key) {
    if (key.getSumCase() != Keys.PublicKey.SumCase.ED25519) {
      return null;
    }
    byte[] digest = MerkleRoot.sha256().digest(key.getEd25519().toByteArray());
    return Arrays.copyOf(digest, ADDRESS_LENGTH);
  }

  private static byte[] bytesValue(ByteString b) {
    return BytesValue.of(b).toByteArray();
  }
}
