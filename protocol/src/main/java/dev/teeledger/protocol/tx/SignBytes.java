package dev.teeledger.protocol.tx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The exact bytes every signer of a transaction signs:
 * {@code "teeledger/tx/v1" ‖ 0x00 ‖ uvarint(len(chain_id)) ‖ chain_id ‖ body}.
 * The domain tag keeps a transaction signature from ever being valid as any other
 * kind of signature the same key makes (votes, TPM quotes); the chain id keeps a
 * transaction from replaying on another chain.
 */
public final class SignBytes {
    /** Domain separation tag, followed by one zero byte. */
    public static final String DOMAIN = "teeledger/tx/v1";

    private SignBytes() {}

    public static byte[] of(String chainId, byte[] bodyBytes) {
        byte[] domain = DOMAIN.getBytes(StandardCharsets.US_ASCII);
        byte[] chain = chainId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(domain.length + chain.length + bodyBytes.length + 8);
        out.writeBytes(domain);
        out.write(0);
        Varint.write(out, chain.length);
        out.writeBytes(chain);
        out.writeBytes(bodyBytes);
        return out.toByteArray();
    }
}
