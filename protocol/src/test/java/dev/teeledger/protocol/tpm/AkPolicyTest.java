package dev.teeledger.protocol.tpm;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.teeledger.protocol.tpm.TpmEvidenceException.Reason;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class AkPolicyTest {

    private static final int FIXED_TPM = 1 << 1;
    private static final int FIXED_PARENT = 1 << 4;
    private static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
    private static final int RESTRICTED = 1 << 16;
    private static final int DECRYPT = 1 << 17;
    private static final int SIGN = 1 << 18;

    @Test
    void acceptsRealRsaAndEccAks() {
        assertThatCode(() -> AkPolicy.check(Captured.pub("a-ak.pub"))).doesNotThrowAnyException();
        assertThatCode(() -> AkPolicy.check(Captured.pub("b-ak.pub"))).doesNotThrowAnyException();
    }

    @Test
    void rejectsUnrestrictedNodeKey() {
        expect(Captured.pub("a-node.pub"), Reason.AK_NOT_RESTRICTED);
    }

    @Test
    void rejectsEndorsementKeyAsNonSigning() {
        expect(Captured.pub("a-ek.pub"), Reason.AK_NOT_SIGNING);
    }

    @Test
    void namesEachMissingAttribute() throws Exception {
        byte[] ak = TpmStructures.bare(Captured.bytes("a-ak.pub"));
        int attrs = Captured.pub("a-ak.pub").objectAttributes();
        expect(TpmtPublic.parse(TpmStructures.withAttributes(ak, attrs | DECRYPT)), Reason.AK_DECRYPT_SET);
        expect(TpmtPublic.parse(TpmStructures.withAttributes(ak, attrs & ~FIXED_TPM)), Reason.AK_NOT_FIXED_TPM);
        expect(TpmtPublic.parse(TpmStructures.withAttributes(ak, attrs & ~FIXED_PARENT)), Reason.AK_NOT_FIXED_PARENT);
        expect(TpmtPublic.parse(TpmStructures.withAttributes(ak, attrs & ~SENSITIVE_DATA_ORIGIN)),
                Reason.AK_NOT_TPM_GENERATED);
        expect(TpmtPublic.parse(TpmStructures.withAttributes(ak, attrs & ~SIGN)), Reason.AK_NOT_SIGNING);
        expect(TpmtPublic.parse(TpmStructures.withAttributes(ak, attrs & ~RESTRICTED)), Reason.AK_NOT_RESTRICTED);
    }

    @Test
    void rejectsWeakKeys() throws Exception {
        BigInteger modulus1024 = BigInteger.ONE.shiftLeft(1023).add(BigInteger.valueOf(0x1235));
        expect(TpmtPublic.parse(TpmStructures.rsa(TpmStructures.AK_ATTRIBUTES, TpmAlg.RSASSA, 1024, modulus1024)),
                Reason.AK_WEAK_KEY);
        expect(TpmtPublic.parse(TpmStructures.ecc(TpmStructures.AK_ATTRIBUTES, TpmAlg.CURVE_NIST_P384,
                BigInteger.ONE, BigInteger.TWO, 48)), Reason.AK_WEAK_KEY);
    }

    @Test
    void rejectsOffCurveEccAk() throws Exception {
        expect(TpmtPublic.parse(TpmStructures.ecc(TpmStructures.AK_ATTRIBUTES, TpmAlg.CURVE_NIST_P256,
                BigInteger.ONE, BigInteger.TWO, 32)), Reason.MALFORMED);
    }

    private static void expect(TpmtPublic key, Reason reason) {
        assertThatThrownBy(() -> AkPolicy.check(key)).isInstanceOfSatisfying(TpmEvidenceException.class,
                e -> org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo(reason));
    }
}
