package dev.teeledger.chain.light;

import static dev.teeledger.chain.testing.Fixtures.FOUR_CHAIN_ID;
import static dev.teeledger.chain.testing.Fixtures.SINGLE_CHAIN_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.teeledger.chain.light.LightClientException.Reason;
import dev.teeledger.chain.testing.Fixtures;
import dev.teeledger.chain.testing.TestChain;
import java.time.Instant;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import tendermint.types.Types;
import tendermint.types.ValidatorOuterClass;

/**
 * Real headers from CometBFT v0.38.25 nodes must verify; tampered copies must not. The captured
 * chains ran on 2026-11-28, so "now" is fixed just after that.
 */
class HeaderVerifierTest {

  private static final Instant NOW = Instant.parse("2026-11-28T16:30:00Z");

  private final HeaderVerifier single = new HeaderVerifier(SINGLE_CHAIN_ID);
  private final HeaderVerifier four = new HeaderVerifier(FOUR_CHAIN_ID);
  private final TrustedValidators singleGenesis =
      TrustedValidators.fromGenesisJson(Fixtures.bytes("single/genesis.json"));
  private final TrustedValidators fourGenesis =
      TrustedValidators.fromGenesisJson(Fixtures.bytes("four/genesis.json"));

  // ---- real data accepted ----------------------------------------------------------------

  @Test
  void acceptsRealSingleValidatorHeadersAgainstGenesisSet() throws Exception {
    for (int h = 6; h <= 8; h++) {
      VerifiedHeader v =
          single.verifyTrusted(
              Fixtures.signedHeader("single/commit_" + h + ".json"), singleGenesis, NOW);
      assertThat(v.height()).isEqualTo(h);
    }
  }

  @Test
  void acceptsRealFourValidatorHeaderAgainstPinnedSet() throws Exception {
    VerifiedHeader v =
        four.verifyTrusted(Fixtures.signedHeader("four/commit_17.json"), fourGenesis, NOW);
    assertThat(v.hash()).isEqualTo(BlockHashes.header(v.header()));
    // kvstore's 8-byte app hash after the tx committed at height 16 (as the node reported it)
    assertThat(v.appHash()).isEqualTo(new byte[] {2, 0, 0, 0, 0, 0, 0, 0});
  }

  @Test
  void followsRealChainAcrossAValidatorSetChange() throws Exception {
    VerifiedHeader trusted =
        four.verifyTrusted(Fixtures.signedHeader("four/commit_16.json"), fourGenesis, NOW);
    for (int h = 17; h <= 20; h++) {
      trusted =
          four.verifyAdjacent(
              trusted,
              Fixtures.signedHeader("four/commit_" + h + ".json"),
              Fixtures.validators("four/validators_" + h + ".json"),
              NOW);
      assertThat(trusted.height()).isEqualTo(h);
    }
    // header 19 is the first signed by the changed set (power 30 -> 35)
    assertThat(trusted.validators().getTotalVotingPower()).isEqualTo(105);
  }

  @Test
  void acceptsRealCommitWithAnAbsentValidator() throws Exception {
    Types.SignedHeader sh = Fixtures.signedHeader("four/commit_absent.json");
    assertThat(sh.getCommit().getSignaturesList())
        .anyMatch(
            s -> s.getBlockIdFlag() == ValidatorOuterClass.BlockIDFlag.BLOCK_ID_FLAG_ABSENT);
    TrustedValidators current =
        TrustedValidators.of(Fixtures.validators("four/validators_absent.json"));
    assertThat(four.verifyTrusted(sh, current, NOW).height()).isEqualTo(sh.getHeader().getHeight());
  }

  // ---- tampering rejected -----------------------------------------------------------------

  @Test
  void rejectsHeaderWithFlippedAppHashByte() {
    Types.SignedHeader sh = Fixtures.signedHeader("single/commit_7.json");
    Types.SignedHeader tampered =
        sh.toBuilder()
            .setHeader(sh.getHeader().toBuilder().setAppHash(flip(sh.getHeader().getAppHash(), 0)))
            .build();
    expect(() -> single.verifyTrusted(tampered, singleGenesis, NOW), Reason.HEADER_HASH_MISMATCH);
  }

  @Test
  void rejectsCommitWithFlippedSignatureByte() {
    Types.SignedHeader sh = Fixtures.signedHeader("four/commit_17.json");
    Types.Commit c = sh.getCommit();
    Types.SignedHeader tampered =
        sh.toBuilder()
            .setCommit(
                c.toBuilder()
                    .setSignatures(
                        2,
                        c.getSignatures(2).toBuilder()
                            .setSignature(flip(c.getSignatures(2).getSignature(), 10))))
            .build();
    expect(() -> four.verifyTrusted(tampered, fourGenesis, NOW), Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsSignatureOverAnotherTimestamp() {
    Types.SignedHeader sh = Fixtures.signedHeader("single/commit_6.json");
    Types.Commit c = sh.getCommit();
    Types.CommitSig s = c.getSignatures(0);
    Types.SignedHeader tampered =
        sh.toBuilder()
            .setCommit(
                c.toBuilder()
                    .setSignatures(
                        0,
                        s.toBuilder()
                            .setTimestamp(
                                s.getTimestamp().toBuilder().setNanos(s.getTimestamp().getNanos() + 1))))
            .build();
    expect(() -> single.verifyTrusted(tampered, singleGenesis, NOW), Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsVerifierConfiguredForAnotherChain() {
    HeaderVerifier other = new HeaderVerifier("other-chain");
    expect(
        () -> other.verifyTrusted(Fixtures.signedHeader("single/commit_6.json"), singleGenesis, NOW),
        Reason.CHAIN_ID_MISMATCH);
  }

  @Test
  void rejectsHeaderRelabelledWithAnotherChainId() {
    Types.SignedHeader sh = Fixtures.signedHeader("single/commit_6.json");
    Types.SignedHeader tampered =
        sh.toBuilder().setHeader(sh.getHeader().toBuilder().setChainId("other-chain")).build();
    HeaderVerifier other = new HeaderVerifier("other-chain");
    expect(() -> other.verifyTrusted(tampered, singleGenesis, NOW), Reason.HEADER_HASH_MISMATCH);
  }

  @Test
  void rejectsValidatorSetWithChangedPower() throws Exception {
    VerifiedHeader trusted =
        four.verifyTrusted(Fixtures.signedHeader("four/commit_16.json"), fourGenesis, NOW);
    ValidatorOuterClass.ValidatorSet vals = Fixtures.validators("four/validators_17.json");
    ValidatorOuterClass.ValidatorSet inflated =
        vals.toBuilder()
            .setValidators(3, vals.getValidators(3).toBuilder().setVotingPower(1000))
            .build();
    expect(
        () ->
            four.verifyAdjacent(
                trusted, Fixtures.signedHeader("four/commit_17.json"), inflated, NOW),
        Reason.VALIDATORS_HASH_MISMATCH);
  }

  @Test
  void rejectsPinnedSetAfterTheChainChangedIt() {
    expect(
        () -> four.verifyTrusted(Fixtures.signedHeader("four/commit_19.json"), fourGenesis, NOW),
        Reason.VALIDATORS_HASH_MISMATCH);
  }

  @Test
  void rejectsAdjacentHeaderWhoseSetWasNotAnnounced() throws Exception {
    // Header 18 announced the new set; skipping from 16 straight to 19's set breaks the link.
    VerifiedHeader h17 =
        four.verifyTrusted(Fixtures.signedHeader("four/commit_17.json"), fourGenesis, NOW);
    Types.SignedHeader h18 = Fixtures.signedHeader("four/commit_18.json");
    Types.SignedHeader forged =
        h18.toBuilder()
            .setHeader(
                h18.getHeader().toBuilder()
                    .setValidatorsHash(h18.getHeader().getNextValidatorsHash()))
            .build();
    expect(
        () -> four.verifyAdjacent(h17, forged, Fixtures.validators("four/validators_19.json"), NOW),
        Reason.NEXT_VALIDATORS_MISMATCH);
  }

  @Test
  void rejectsNonAdjacentHeight() throws Exception {
    VerifiedHeader h16 =
        four.verifyTrusted(Fixtures.signedHeader("four/commit_16.json"), fourGenesis, NOW);
    expect(
        () ->
            four.verifyAdjacent(
                h16,
                Fixtures.signedHeader("four/commit_18.json"),
                Fixtures.validators("four/validators_18.json"),
                NOW),
        Reason.HEIGHT_MISMATCH);
  }

  @Test
  void rejectsCommitForAnotherHeight() {
    Types.SignedHeader sh = Fixtures.signedHeader("single/commit_6.json");
    Types.SignedHeader tampered =
        sh.toBuilder().setCommit(Fixtures.signedHeader("single/commit_7.json").getCommit()).build();
    expect(() -> single.verifyTrusted(tampered, singleGenesis, NOW), Reason.HEIGHT_MISMATCH);
  }

  @Test
  void rejectsCommitWithTooFewSignatures() {
    Types.SignedHeader sh = Fixtures.signedHeader("four/commit_17.json");
    Types.SignedHeader tampered =
        sh.toBuilder().setCommit(sh.getCommit().toBuilder().removeSignatures(3)).build();
    expect(() -> four.verifyTrusted(tampered, fourGenesis, NOW), Reason.VALIDATOR_SET_MISMATCH);
  }

  @Test
  void rejectsSignatureSlotWithAnotherValidatorsAddress() {
    Types.SignedHeader sh = Fixtures.signedHeader("four/commit_17.json");
    Types.Commit c = sh.getCommit();
    Types.SignedHeader swapped =
        sh.toBuilder()
            .setCommit(
                c.toBuilder().setSignatures(0, c.getSignatures(1)).setSignatures(1, c.getSignatures(0)))
            .build();
    expect(() -> four.verifyTrusted(swapped, fourGenesis, NOW), Reason.VALIDATOR_SET_MISMATCH);
  }

  @Test
  void rejectsRealCommitWhenSignersCarryTwoThirdsOrLess() {
    // Mark the 40- and 30-power validators absent: 30 of 100 remain.
    Types.SignedHeader sh = Fixtures.signedHeader("four/commit_17.json");
    Types.Commit.Builder c = sh.getCommit().toBuilder();
    for (int i = 0; i < 2; i++) {
      c.setSignatures(
          i,
          Types.CommitSig.newBuilder()
              .setBlockIdFlag(ValidatorOuterClass.BlockIDFlag.BLOCK_ID_FLAG_ABSENT)
              .setTimestamp(com.google.protobuf.Timestamp.newBuilder().setSeconds(-62135596800L)));
    }
    Types.SignedHeader weak = sh.toBuilder().setCommit(c).build();
    expect(() -> four.verifyTrusted(weak, fourGenesis, NOW), Reason.INSUFFICIENT_VOTING_POWER);
  }

  @Test
  void rejectsExactlyTwoThirdsAndAcceptsJustAbove() throws Exception {
    TestChain chain = new TestChain("synthetic", "two-thirds", 1, 1, 1);
    TrustedValidators vals = TrustedValidators.of(chain.validatorSet());
    HeaderVerifier v = new HeaderVerifier("synthetic");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Types.SignedHeader twoOfThree = chain.signedHeader(5, new byte[32], t, Set.of(0, 1));
    expect(() -> v.verifyTrusted(twoOfThree, vals, t), Reason.INSUFFICIENT_VOTING_POWER);
    Types.SignedHeader all = chain.signedHeader(5, new byte[32], t, Set.of(0, 1, 2));
    assertThat(v.verifyTrusted(all, vals, t).height()).isEqualTo(5);

    TestChain weighted = new TestChain("synthetic", "weighted", 34, 33, 33);
    // 67 of 100 is just above 2/3
    Types.SignedHeader justAbove = weighted.signedHeader(5, new byte[32], t, Set.of(0, 1));
    assertThat(
            v.verifyTrusted(justAbove, TrustedValidators.of(weighted.validatorSet()), t).height())
        .isEqualTo(5);
  }

  @Test
  void rejectsHeaderSignedByAnUntrustedSet() {
    TestChain impostor = new TestChain(SINGLE_CHAIN_ID, "impostor", 10);
    Types.SignedHeader forged =
        impostor.signedHeader(9, new byte[8], Instant.parse("2026-11-28T16:21:00Z"), Set.of(0));
    expect(() -> single.verifyTrusted(forged, singleGenesis, NOW), Reason.VALIDATORS_HASH_MISMATCH);
  }

  @Test
  void rejectsHeaderFromTheFuture() {
    Types.SignedHeader sh = Fixtures.signedHeader("single/commit_6.json");
    Instant before = Instant.parse("2026-11-28T16:00:00Z");
    expect(() -> single.verifyTrusted(sh, singleGenesis, before), Reason.BAD_HEADER_TIME);
  }

  @Test
  void rejectsHeaderWithTruncatedValidatorsHash() {
    Types.SignedHeader sh = Fixtures.signedHeader("single/commit_6.json");
    Types.SignedHeader tampered =
        sh.toBuilder()
            .setHeader(
                sh.getHeader().toBuilder()
                    .setValidatorsHash(sh.getHeader().getValidatorsHash().substring(0, 31)))
            .build();
    expect(() -> single.verifyTrusted(tampered, singleGenesis, NOW), Reason.MALFORMED_HEADER);
  }

  @Test
  void rejectsSignedHeaderWithoutHeader() {
    expect(
        () -> single.verifyTrusted(Types.SignedHeader.getDefaultInstance(), singleGenesis, NOW),
        Reason.MALFORMED_HEADER);
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static ByteString flip(ByteString b, int index) {
    byte[] copy = b.toByteArray();
    copy[index] ^= 0x01;
    return ByteString.copyFrom(copy);
  }

  private static void expect(ThrowingCallable call, Reason reason) {
    assertThatThrownBy(call)
        .isInstanceOf(LightClientException.class)
        .satisfies(e -> assertThat(((LightClientException) e).reason()).isEqualTo(reason));
  }
}
