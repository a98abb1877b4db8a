package dev.teeledger.chain.light;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.chain.testing.Fixtures;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import tendermint.types.ValidatorOuterClass;

class TrustedValidatorsTest {

  @Test
  void genesisSetHashesToTheChainsValidatorsHash() {
    TrustedValidators four = TrustedValidators.fromGenesisJson(Fixtures.bytes("four/genesis.json"));
    assertThat(four.hash())
        .isEqualTo(
            Fixtures.signedHeader("four/commit_16.json")
                .getHeader()
                .getValidatorsHash()
                .toByteArray());
    assertThat(four.totalVotingPower()).isEqualTo(100);
    // genesis lists power 10 first; set order puts 40 first
    assertThat(four.validators().get(0).getVotingPower()).isEqualTo(40);

    TrustedValidators single =
        TrustedValidators.fromGenesisJson(Fixtures.bytes("single/genesis.json"));
    assertThat(single.hash())
        .isEqualTo(
            Fixtures.signedHeader("single/commit_6.json")
                .getHeader()
                .getValidatorsHash()
                .toByteArray());
  }

  @Test
  void inputOrderDoesNotMatter() {
    List<ValidatorOuterClass.Validator> vals =
        new ArrayList<>(Fixtures.validators("four/validators_20.json").getValidatorsList());
    byte[] expected = TrustedValidators.of(vals).hash();
    Collections.reverse(vals);
    assertThat(TrustedValidators.of(vals).hash()).isEqualTo(expected);
  }

  @Test
  void rejectsEmptyDuplicateAndZeroPowerSets() {
    assertThatThrownBy(() -> TrustedValidators.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    ValidatorOuterClass.Validator v = Fixtures.validators("four/validators_20.json").getValidators(0);
    assertThatThrownBy(() -> TrustedValidators.of(List.of(v, v)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate");
    assertThatThrownBy(() -> TrustedValidators.of(List.of(v.toBuilder().setVotingPower(0).build())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrustedValidators.fromGenesisJson("{}".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrustedValidators.fromGenesisJson("not json".getBytes()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
