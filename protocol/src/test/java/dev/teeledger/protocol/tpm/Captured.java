package dev.teeledger.protocol.tpm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/**
 * Evidence captured once from two swtpm instances by {@code src/test/resources/tpm/capture.sh}:
 * TPM "a" has an RSA-2048 RSASSA AK, TPM "b" an ECC P-256 ECDSA AK; both certify an ECC P-256 node
 * key and quote sha256:0,1,2,3,7 with {@link #QUOTE_NONCE}.
 */
public final class Captured {

    /** The qualifying data capture.sh passed to tpm2_quote. */
    public static final byte[] QUOTE_NONCE = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    /** The qualifying data tpm2_certify 5.4 sends when given none. */
    public static final byte[] CERTIFY_EXTRA_DATA = HexFormat.of().parseHex("00ff55aa");

    private Captured() {}

    /** Raw bytes of a file under src/test/resources/tpm. */
    public static byte[] bytes(String name) {
        try (InputStream in = Captured.class.getResourceAsStream("/tpm/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /tpm/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A captured TPM2B_PUBLIC, parsed. */
    public static TpmtPublic pub(String name) {
        try {
            return TpmtPublic.parseTpm2b(bytes(name));
        } catch (TpmFormatException e) {
            throw new IllegalStateException(name + ": " + e.getMessage(), e);
        }
    }
}
