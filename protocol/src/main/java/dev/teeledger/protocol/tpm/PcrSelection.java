package dev.teeledger.protocol.tpm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One TPMS_PCR_SELECTION (TPM 2.0 Part 2, Table 94): a PCR bank (hash algorithm) and a bitmap
 * where bit {@code i % 8} of byte {@code i / 8} selects PCR {@code i}. Part of a quote's
 * TPML_PCR_SELECTION; the attestation verifier compares it with the requested selection.
 *
 * @param hashAlg the bank's TPM_ALG_ID
 * @param bitmap  the pcrSelect bytes (a defensive copy is kept)
 */
public record PcrSelection(int hashAlg, byte[] bitmap) {

    public PcrSelection {
        bitmap = bitmap.clone();
    }

    @Override
    public byte[] bitmap() {
        return bitmap.clone();
    }

    /** The selected PCR indices in ascending order, the order in which pcrDigest hashes them. */
    public List<Integer> pcrs() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < bitmap.length * 8; i++) {
            if ((bitmap[i / 8] & (1 << (i % 8))) != 0) {
                out.add(i);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PcrSelection p && p.hashAlg == hashAlg && Arrays.equals(p.bitmap, bitmap);
    }

    @Override
    public int hashCode() {
        return 31 * hashAlg + Arrays.hashCode(bitmap);
    }

    @Override
    public String toString() {
        return String.format("PcrSelection[hashAlg=0x%04x, pcrs=%s]", hashAlg, pcrs());
    }
}
