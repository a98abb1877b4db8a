package dev.teeledger.protocol.x509;

/**
 * What {@link EkCertificateVerifier} established about an EK certificate: the certificate's DER
 * (TCG prefix removed), the HSM id derived from it, the TPM identity from its subjectAltName
 * (TCG EK Credential Profile §3.2.9), and the subject of the trust anchor the chain ended in.
 *
 * @param certificate      the EK certificate DER
 * @param hsmId            {@link HsmId} of the certificate
 * @param tpmManufacturer  value of 2.23.133.2.1 (e.g. "id:00001014")
 * @param tpmModel         value of 2.23.133.2.2
 * @param tpmVersion       value of 2.23.133.2.3
 * @param anchorSubject    RFC 4514 subject of the manufacturer root that anchors the chain
 */
public record VerifiedEkCertificate(byte[] certificate, HsmId hsmId, String tpmManufacturer,
        String tpmModel, String tpmVersion, String anchorSubject) {

    public VerifiedEkCertificate {
        certificate = certificate.clone();
    }

    @Override
    public byte[] certificate() {
        return certificate.clone();
    }
}
