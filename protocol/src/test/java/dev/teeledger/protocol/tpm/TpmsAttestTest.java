package dev.teeledger.protocol.tpm;

import static dev.teeledger.protocol.tpm.TpmtPublicTest.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TpmsAttestTest {

    @Test
    void parsesCertifyStatement() throws Exception {
        TpmsAttest a = TpmsAttest.parse(Captured.bytes("a-certify.attest"));
        assertThat(a.magic()).isEqualTo(TpmsAttest.TPM_GENERATED_VALUE);
        assertThat(a.type()).isEqualTo(TpmsAttest.ATTEST_CERTIFY);
        assertThat(a.extraData()).isEqualTo(Captured.CERTIFY_EXTRA_DATA);
        assertThat(a.qualifiedSigner()).hasSize(34);
        assertThat(a.safe()).isTrue();
        assertThat(a.certifiedName()).isEqualTo(Captured.pub("a-node.pub").name());
        assertThat(a.certifiedQualifiedName()).hasSize(34);
        assertThat(a.pcrSelections()).isEmpty();
        assertThat(a.pcrDigest()).isNull();
        assertThat(a.bytes()).isEqualTo(Captured.bytes("a-certify.attest"));
    }

    @Test
    void parsesQuoteStatement() throws Exception {
        TpmsAttest q = TpmsAttest.parse(Captured.bytes("b-quote.attest"));
        assertThat(q.type()).isEqualTo(TpmsAttest.ATTEST_QUOTE);
        assertThat(q.extraData()).isEqualTo(Captured.QUOTE_NONCE);
        assertThat(q.pcrSelections()).hasSize(1);
        PcrSelection sel = q.pcrSelections().get(0);
        assertThat(sel.hashAlg()).isEqualTo(TpmAlg.SHA256);
        assertThat(sel.pcrs()).isEqualTo(List.of(0, 1, 2, 3, 7));
        assertThat(q.pcrDigest()).hasSize(32);
        assertThat(q.certifiedName()).isNull();
        assertThat(q.resetCount()).isGreaterThanOrEqualTo(0);
        // The same AK signed the certify statement of this TPM: same qualified signer.
        TpmsAttest c = TpmsAttest.parse(Captured.bytes("b-certify.attest"));
        assertThat(q.qualifiedSigner()).isEqualTo(c.qualifiedSigner());
        assertThat(q.firmwareVersion()).isEqualTo(c.firmwareVersion());
    }

    @Test
    void rejectsEveryTruncation() {
        for (String file : new String[] {"a-certify.attest", "a-quote.attest"}) {
            byte[] attest = Captured.bytes(file);
            for (int len = 0; len < attest.length; len++) {
                byte[] cut = Arrays.copyOf(attest, len);
                assertReason(() -> TpmsAttest.parse(cut), TpmFormatException.Reason.TRUNCATED);
            }
        }
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] attest = Captured.bytes("a-quote.attest");
        byte[] longer = Arrays.copyOf(attest, attest.length + 1);
        assertReason(() -> TpmsAttest.parse(longer), TpmFormatException.Reason.TRAILING_BYTES);
    }

    @Test
    void rejectsOversizedSizeFields() {
        byte[] attest = Captured.bytes("a-certify.attest");
        byte[] signer = attest.clone();
        signer[6] = 0x00;
        signer[7] = 0x43; // qualifiedSigner of 67 > sizeof(TPMU_NAME)
        assertReason(() -> TpmsAttest.parse(signer), TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
        assertReason(() -> TpmsAttest.parse(new byte[TpmsAttest.MAX_ATTEST_SIZE + 1]),
                TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
        byte[] quote = Captured.bytes("a-quote.attest");
        int countOffset = countOffset(quote);
        byte[] manyBanks = quote.clone();
        manyBanks[countOffset + 3] = 17;
        assertReason(() -> TpmsAttest.parse(manyBanks), TpmFormatException.Reason.SIZE_OUT_OF_RANGE);
    }

    @Test
    void rejectsSafeFlagOutsideYesNo() {
        byte[] attest = Captured.bytes("a-certify.attest");
        int safeOffset = 6 + 2 + 34 + 2 + 4 + 8 + 4 + 4;
        assertThat(attest[safeOffset]).isEqualTo((byte) 1);
        attest[safeOffset] = 2;
        assertReason(() -> TpmsAttest.parse(attest), TpmFormatException.Reason.INVALID_VALUE);
    }

    @Test
    void rejectsUndecodedAttestTypes() {
        byte[] attest = Captured.bytes("a-certify.attest");
        attest[5] = 0x19; // TPM_ST_ATTEST_TIME
        assertReason(() -> TpmsAttest.parse(attest), TpmFormatException.Reason.UNSUPPORTED_ALGORITHM);
    }

    /** Offset of TPML_PCR_SELECTION.count in a quote with this file's extraData length. */
    private static int countOffset(byte[] quote) {
        int signer = ((quote[6] & 0xff) << 8) | (quote[7] & 0xff);
        int extraOffset = 8 + signer;
        int extra = ((quote[extraOffset] & 0xff) << 8) | (quote[extraOffset + 1] & 0xff);
        return extraOffset + 2 + extra + 17 + 8;
    }
}
