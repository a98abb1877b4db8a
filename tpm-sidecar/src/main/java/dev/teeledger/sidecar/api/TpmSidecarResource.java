package dev.teeledger.sidecar.api;

import dev.teeledger.sidecar.evidence.NodeSignature;
import dev.teeledger.sidecar.evidence.QuoteEvidence;
import dev.teeledger.sidecar.evidence.SidecarIdentity;
import dev.teeledger.sidecar.evidence.VrfEvaluation;
import dev.teeledger.sidecar.tpm.NodeTpm;
import dev.teeledger.sidecar.tpm.SidecarException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * The REST mirror of the gRPC API under {@code /v1}: the same five calls with JSON bodies, byte
 * fields in standard base64. Errors are {@code application/problem+json} ({@link SidecarProblemMapper}).
 * Blocking methods, so they run on worker threads.
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TpmSidecarResource {

    private final NodeTpm tpm;

    public TpmSidecarResource(NodeTpm tpm) {
        this.tpm = tpm;
    }

    /** GetIdentity. */
    public record IdentityJson(byte[] ekCertificate, List<byte[]> intermediates, byte[] ekPublic, byte[] akPublic,
            byte[] akName, byte[] nodeKeyPublic, byte[] certifyAttest, byte[] certifySignature, byte[] vrfPublicKey,
            byte[] vrfKeySignature, String chainId, byte[] hsmId, String sidecarEndpoint, int measurementPcr) {}

    /** ActivateCredential request: TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET, each with its UINT16 size. */
    public record ActivateCredentialJson(byte[] credentialBlob, byte[] encryptedSecret) {}

    public record SecretJson(byte[] secret) {}

    /** Quote request: 16..32 nonce bytes and SHA-256 PCR indices 0..23. */
    public record QuoteRequestJson(byte[] nonce, List<Integer> pcrs) {}

    public record PcrValueJson(int index, byte[] sha256) {}

    public record QuoteJson(byte[] attest, byte[] signature, List<PcrValueJson> pcrValues, byte[] measurementLog) {}

    /** Sign request: a 32-byte SHA-256 digest. */
    public record SignRequestJson(byte[] digest) {}

    public record SignatureJson(byte[] signatureDer, byte[] signatureLowS, byte[] tpmSignature) {}

    /** VrfProve request: the VRF input, at most 1024 bytes. */
    public record VrfRequestJson(byte[] alpha) {}

    public record VrfJson(byte[] proof, byte[] output) {}

    @GET
    @Path("/identity")
    public IdentityJson identity() throws SidecarException {
        SidecarIdentity id = tpm.identity();
        return new IdentityJson(id.ekCertificate(), id.intermediates(), id.ekPublic(), id.akPublic(), id.akName(),
                id.nodeKeyPublic(), id.certifyAttest(), id.certifySignature(), id.vrfPublicKey(), id.vrfKeySignature(),
                id.chainId(), id.hsmId(), id.sidecarEndpoint(), id.measurementPcr());
    }

    @POST
    @Path("/credential/activate")
    public SecretJson activateCredential(ActivateCredentialJson request) throws SidecarException {
        if (request == null) {
            throw new SidecarException(SidecarException.Reason.INVALID_ARGUMENT, "request body required");
        }
        return new SecretJson(tpm.activateCredential(request.credentialBlob(), request.encryptedSecret()));
    }

    @POST
    @Path("/quote")
    public QuoteJson quote(QuoteRequestJson request) throws SidecarException {
        if (request == null) {
            throw new SidecarException(SidecarException.Reason.INVALID_ARGUMENT, "request body required");
        }
        QuoteEvidence q = tpm.quote(request.nonce(), request.pcrs());
        return new QuoteJson(q.attest(), q.signature(),
                q.pcrValues().stream().map(v -> new PcrValueJson(v.index(), v.sha256())).toList(), q.measurementLog());
    }

    @POST
    @Path("/sign")
    public SignatureJson sign(SignRequestJson request) throws SidecarException {
        if (request == null) {
            throw new SidecarException(SidecarException.Reason.INVALID_ARGUMENT, "request body required");
        }
        NodeSignature s = tpm.sign(request.digest());
        return new SignatureJson(s.der(), s.lowS(), s.tpmSignature());
    }

    @POST
    @Path("/vrf/prove")
    public VrfJson vrfProve(VrfRequestJson request) throws SidecarException {
        if (request == null) {
            throw new SidecarException(SidecarException.Reason.INVALID_ARGUMENT, "request body required");
        }
        VrfEvaluation v = tpm.vrfProve(request.alpha());
        return new VrfJson(v.proof(), v.output());
    }
}
