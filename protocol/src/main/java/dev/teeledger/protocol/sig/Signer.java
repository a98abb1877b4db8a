package dev.teeledger.protocol.sig;

import dev.teeledger.protocol.tx.v1.PublicKey;

/**
 * Something that holds a private key and signs messages: a software key in a
 * client or test, or a TPM-held key behind the tpm-sidecar. Signatures use the
 * wire formats of {@link SignatureVerifier}.
 */
public interface Signer {
    PublicKey publicKey();

    /** Signs {@code message} (the full sign bytes, not a digest). */
    byte[] sign(byte[] message);
}
