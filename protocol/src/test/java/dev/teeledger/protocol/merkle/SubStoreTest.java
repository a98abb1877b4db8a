package dev.teeledger.protocol.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubStoreTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void routesByLongestMatchingPrefix() {
        assertThat(SubStore.of(b("credit/acct/00ff"))).isEqualTo(SubStore.CREDIT_ACCOUNTS);
        assertThat(SubStore.of(b("credit/report/ab"))).isEqualTo(SubStore.CREDIT_REPORTS);
        assertThat(SubStore.of(b("credit/index"))).isEqualTo(SubStore.CREDIT);
        assertThat(SubStore.of(b("credit/acct"))).as("no trailing slash").isEqualTo(SubStore.CREDIT);
        assertThat(SubStore.of(b("app/chain"))).isEqualTo(SubStore.APP);
        assertThat(SubStore.of(b("gov/param/x"))).isEqualTo(SubStore.GOV);
        assertThat(SubStore.of(b("hsm/by_state/1/aa"))).isEqualTo(SubStore.HSM);
        assertThat(SubStore.of(b("mfr/1"))).isEqualTo(SubStore.MANUFACTURER);
        assertThat(SubStore.of(b("fw/1"))).isEqualTo(SubStore.FIRMWARE);
        assertThat(SubStore.of(b("k1"))).isEqualTo(SubStore.DEFAULT);
        assertThat(SubStore.of(new byte[] {(byte) 0xFF})).isEqualTo(SubStore.DEFAULT);
    }

    @Test
    void codesAndNamesAreUniqueAndFitOneByte() {
        Set<Integer> codes = new HashSet<>();
        Set<String> names = new HashSet<>();
        for (SubStore s : SubStore.values()) {
            assertThat(s.code()).isBetween(1, 255);
            assertThat(codes.add(s.code())).isTrue();
            assertThat(names.add(s.storeName())).isTrue();
            assertThat(SubStore.ofCode(s.code())).isEqualTo(s);
            for (byte[] p : s.prefixes()) {
                assertThat(SubStore.of(p)).as("a prefix routes to its own store").isEqualTo(s);
            }
        }
        assertThat(SubStore.ofCode(0)).isNull();
    }

    @Test
    void scanFilterKeepsEveryStoreThatCanHoldThePrefix() {
        assertThat(Arrays.stream(SubStore.values()).filter(s -> s.mayHoldKeysStartingWith(b("credit/"))))
                .containsExactlyInAnyOrder(SubStore.CREDIT, SubStore.CREDIT_ACCOUNTS,
                        SubStore.CREDIT_REPORTS, SubStore.CREDIT_HISTORY, SubStore.DEFAULT);
        assertThat(Arrays.stream(SubStore.values()).filter(s -> s.mayHoldKeysStartingWith(b("cr"))))
                .containsExactlyInAnyOrder(SubStore.CREDIT, SubStore.CREDIT_ACCOUNTS,
                        SubStore.CREDIT_REPORTS, SubStore.CREDIT_HISTORY, SubStore.DEFAULT);
        assertThat(Arrays.stream(SubStore.values()).filter(s -> s.mayHoldKeysStartingWith(b("credit/acct/1"))))
                .containsExactlyInAnyOrder(SubStore.CREDIT, SubStore.CREDIT_ACCOUNTS, SubStore.DEFAULT);
        assertThat(Arrays.stream(SubStore.values()).filter(s -> s.mayHoldKeysStartingWith(new byte[0])))
                .hasSize(SubStore.values().length);
    }

    @Test
    void stateProofRefusesAKeyOfAnotherSubStore() {
        SmtProof empty = SmtProof.of(SmtProof.Terminal.EMPTY, new byte[0][], null, null);
        StateProof viaGov = new StateProof(SubStore.GOV, empty, empty);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> viaGov.computeRoot(b("credit/acct/1"), null))
                .isInstanceOf(ProofException.class)
                .extracting(e -> ((ProofException) e).reason())
                .isEqualTo(ProofException.Reason.KEY_MISMATCH);
        assertThat(StateProof.keyPath(b("gov/keys"))).containsExactly(b("gov/keys"), b("gov"));
    }
}
