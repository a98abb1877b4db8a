package dev.teeledger.testkit.swtpm;

/**
 * The output of {@code tpm2_quote} run by {@link SwtpmFixture#quote}: the TPMS_ATTEST the TPM
 * signed, the TPMT_SIGNATURE by the AK, and tpm2-tools' PCR values file (TPML_PCR_SELECTION and
 * TPML_DIGEST values in tpm2-tools' serialisation) for {@code tpm2_checkquote}.
 *
 * @param attest    raw TPMS_ATTEST
 * @param signature raw TPMT_SIGNATURE
 * @param pcrs      tpm2-tools PCR output file content
 * @param nonce     the qualifying data sent
 * @param selection the PCR selection in tpm2-tools syntax, e.g. {@code sha256:0,1,2,3,7}
 */
public record TpmQuote(byte[] attest, byte[] signature, byte[] pcrs, byte[] nonce, String selection) {

    public TpmQuote {
        attest = attest.clone();
        signature = signature.clone();
        pcrs = pcrs.clone();
        nonce = nonce.clone();
    }

    /** A copy, so callers may tamper with it freely. */
    @Override
    public byte[] attest() {
        return attest.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    @Override
    public byte[] pcrs() {
        return pcrs.clone();
    }

    @Override
    public byte[] nonce() {
        return nonce.clone();
    }
}
