package dev.teeledger.sidecar.evidence;

import java.util.List;

/**
 * What GetIdentity returns: everything a join transaction carries, read from or produced by the
 * node TPM, plus where verifiers reach this sidecar. Public areas are bare TPMT_PUBLIC bytes and
 * attestation/signature bytes are exactly as the TPM returned them. The same TPM and state
 * directory give the same identity across sidecar restarts and TPM resets. Arrays are shared:
 * callers must not modify them.
 *
 * @param ekCertificate    DER of the EK certificate, TCG NV prefix stripped
 * @param intermediates    DER certificates between the EK certificate and a manufacturer root
 * @param ekPublic         TPMT_PUBLIC of the EK
 * @param akPublic         TPMT_PUBLIC of the AK
 * @param akName           the AK's Name (nameAlg ‖ digest)
 * @param nodeKeyPublic    TPMT_PUBLIC of the ECC P-256 node key
 * @param certifyAttest    TPMS_ATTEST of TPM2_Certify(node key) by the AK
 * @param certifySignature TPMT_SIGNATURE over certifyAttest
 * @param vrfPublicKey     33-byte compressed ECVRF-P256 public key
 * @param vrfKeySignature  DER ECDSA signature by the node key over the {@link dev.teeledger.protocol.vrf.VrfKeyBinding}
 * @param chainId          chain id named in the VRF key binding
 * @param hsmId            SHA-256 of the EK certificate's SubjectPublicKeyInfo
 * @param sidecarEndpoint  the endpoint advertised to verifiers
 * @param measurementPcr   the PCR extended with the measured components
 */
public record SidecarIdentity(byte[] ekCertificate, List<byte[]> intermediates, byte[] ekPublic, byte[] akPublic,
        byte[] akName, byte[] nodeKeyPublic, byte[] certifyAttest, byte[] certifySignature, byte[] vrfPublicKey,
        byte[] vrfKeySignature, String chainId, byte[] hsmId, String sidecarEndpoint, int measurementPcr) {

    public SidecarIdentity {
        intermediates = List.copyOf(intermediates);
    }
}
