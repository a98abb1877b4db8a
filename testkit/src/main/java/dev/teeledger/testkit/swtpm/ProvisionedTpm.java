package dev.teeledger.testkit.swtpm;

import dev.teeledger.protocol.tpm.TpmFormatException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import java.nio.file.Path;

/**
 * One swtpm instance that {@link SwtpmFixture} provisioned: where it listens and the evidence read
 * from it. Public areas are bare TPMT_PUBLIC bytes (the TPM2B size prefix removed), certificates
 * are DER. The AK is persistent at {@link SwtpmFixture#AK_HANDLE} in the endorsement hierarchy
 * (child of the EK), the node key at {@link SwtpmFixture#NODE_KEY_HANDLE} under an owner ECC
 * primary; both survive TPM resets.
 *
 * @param index                   position in the fixture (0-based)
 * @param dataPort                TPM command port (raw or MS-simulator framing)
 * @param ctrlPort                swtpm control port, {@code dataPort + 1}
 * @param tcti                    TCTI string for tpm2-tools ({@code swtpm:host=127.0.0.1,port=P})
 * @param dir                     this TPM's work directory (state, tool outputs)
 * @param ekCertificate           EK certificate DER from NV index 0x01c00002 (RSA-2048 EK)
 * @param intermediateCertificate DER of the swtpm_localca intermediate that signed it
 * @param rootCertificate         DER of the swtpm_localca root (the stand-in manufacturer root)
 * @param ekPublic                TPMT_PUBLIC of the persistent EK 0x81010001
 * @param akPublic                TPMT_PUBLIC of the AK
 * @param nodeKeyPublic           TPMT_PUBLIC of the ECC P-256 node signing key
 * @param certifyAttest           TPMS_ATTEST of TPM2_Certify(node key, AK)
 * @param certifySignature        TPMT_SIGNATURE over {@code certifyAttest} by the AK
 */
public record ProvisionedTpm(int index, int dataPort, int ctrlPort, String tcti, Path dir,
        byte[] ekCertificate, byte[] intermediateCertificate, byte[] rootCertificate,
        byte[] ekPublic, byte[] akPublic, byte[] nodeKeyPublic,
        byte[] certifyAttest, byte[] certifySignature) {

    public ProvisionedTpm {
        ekCertificate = copy(ekCertificate);
        intermediateCertificate = copy(intermediateCertificate);
        rootCertificate = copy(rootCertificate);
        ekPublic = copy(ekPublic);
        akPublic = copy(akPublic);
        nodeKeyPublic = copy(nodeKeyPublic);
        certifyAttest = copy(certifyAttest);
        certifySignature = copy(certifySignature);
    }

    @Override
    public byte[] ekCertificate() {
        return copy(ekCertificate);
    }

    @Override
    public byte[] intermediateCertificate() {
        return copy(intermediateCertificate);
    }

    @Override
    public byte[] rootCertificate() {
        return copy(rootCertificate);
    }

    @Override
    public byte[] ekPublic() {
        return copy(ekPublic);
    }

    @Override
    public byte[] akPublic() {
        return copy(akPublic);
    }

    @Override
    public byte[] nodeKeyPublic() {
        return copy(nodeKeyPublic);
    }

    /** A copy: tests flip bytes in what they get without corrupting the fixture. */
    @Override
    public byte[] certifyAttest() {
        return copy(certifyAttest);
    }

    @Override
    public byte[] certifySignature() {
        return copy(certifySignature);
    }

    private static byte[] copy(byte[] b) {
        return b == null ? null : b.clone();
    }

    /** The EK public area, parsed. */
    public TpmtPublic ek() {
        return parse(ekPublic);
    }

    /** The AK public area, parsed. */
    public TpmtPublic ak() {
        return parse(akPublic);
    }

    /** The node key public area, parsed. */
    public TpmtPublic nodeKey() {
        return parse(nodeKeyPublic);
    }

    /** The file tpm2-tools wrote for the AK (TPM2B_PUBLIC), e.g. for {@code tpm2_checkquote -u}. */
    public Path akPublicFile() {
        return dir.resolve("ak.pub");
    }

    private static TpmtPublic parse(byte[] tpmt) {
        try {
            return TpmtPublic.parse(tpmt);
        } catch (TpmFormatException e) {
            throw new IllegalStateException("swtpm returned an unparsable public area: " + e.getMessage(), e);
        }
    }
}
