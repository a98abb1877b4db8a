package dev.teeledger.sidecar.api;

import com.google.protobuf.ByteString;
import dev.teeledger.sidecar.api.v1.ActivateCredentialRequest;
import dev.teeledger.sidecar.api.v1.ActivateCredentialResponse;
import dev.teeledger.sidecar.api.v1.GetIdentityRequest;
import dev.teeledger.sidecar.api.v1.Identity;
import dev.teeledger.sidecar.api.v1.PcrValue;
import dev.teeledger.sidecar.api.v1.QuoteRequest;
import dev.teeledger.sidecar.api.v1.QuoteResponse;
import dev.teeledger.sidecar.api.v1.SignRequest;
import dev.teeledger.sidecar.api.v1.SignResponse;
import dev.teeledger.sidecar.api.v1.TpmSidecar;
import dev.teeledger.sidecar.api.v1.VrfProveRequest;
import dev.teeledger.sidecar.api.v1.VrfProveResponse;
import dev.teeledger.sidecar.evidence.NodeSignature;
import dev.teeledger.sidecar.evidence.QuoteEvidence;
import dev.teeledger.sidecar.evidence.SidecarIdentity;
import dev.teeledger.sidecar.evidence.VrfEvaluation;
import dev.teeledger.sidecar.tpm.NodeTpm;
import dev.teeledger.sidecar.tpm.SidecarException;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * The gRPC API ({@code teeledger.sidecar.v1.TpmSidecar}): translates protobuf messages to
 * {@link NodeTpm} calls and {@link SidecarException} to gRPC status. Methods block on the
 * serialised TPM, so they run on worker threads.
 */
@GrpcService
public class TpmSidecarGrpcService implements TpmSidecar {

    private final NodeTpm tpm;

    public TpmSidecarGrpcService(NodeTpm tpm) {
        this.tpm = tpm;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws SidecarException;
    }

    private static <T> Uni<T> call(Call<T> call) {
        return Uni.createFrom().emitter(em -> {
            try {
                em.complete(call.run());
            } catch (SidecarException e) {
                em.fail(ProblemStatus.grpc(e));
            }
        });
    }

    @Override
    @Blocking
    public Uni<Identity> getIdentity(GetIdentityRequest request) {
        return call(() -> toProto(tpm.identity()));
    }

    @Override
    @Blocking
    public Uni<ActivateCredentialResponse> activateCredential(ActivateCredentialRequest request) {
        return call(() -> ActivateCredentialResponse.newBuilder()
                .setSecret(ByteString.copyFrom(tpm.activateCredential(request.getCredentialBlob().toByteArray(),
                        request.getEncryptedSecret().toByteArray())))
                .build());
    }

    @Override
    @Blocking
    public Uni<QuoteResponse> quote(QuoteRequest request) {
        return call(() -> {
            List<Integer> pcrs = new ArrayList<>();
            for (int pcr : request.getPcrsList()) {
                // uint32 above 2^31 arrives negative; NodeTpm rejects it as an unknown PCR.
                pcrs.add(pcr);
            }
            QuoteEvidence q = tpm.quote(request.getNonce().toByteArray(), pcrs);
            QuoteResponse.Builder out = QuoteResponse.newBuilder()
                    .setAttest(ByteString.copyFrom(q.attest()))
                    .setSignature(ByteString.copyFrom(q.signature()))
                    .setMeasurementLog(ByteString.copyFrom(q.measurementLog()));
            q.pcrValues().forEach(v -> out.addPcrValues(
                    PcrValue.newBuilder().setIndex(v.index()).setSha256(ByteString.copyFrom(v.sha256()))));
            return out.build();
        });
    }

    @Override
    @Blocking
    public Uni<SignResponse> sign(SignRequest request) {
        return call(() -> {
            NodeSignature s = tpm.sign(request.getDigest().toByteArray());
            return SignResponse.newBuilder()
                    .setSignatureDer(ByteString.copyFrom(s.der()))
                    .setSignatureLowS(ByteString.copyFrom(s.lowS()))
                    .setTpmSignature(ByteString.copyFrom(s.tpmSignature()))
                    .build();
        });
    }

    @Override
    @Blocking
    public Uni<VrfProveResponse> vrfProve(VrfProveRequest request) {
        return call(() -> {
            VrfEvaluation v = tpm.vrfProve(request.getAlpha().toByteArray());
            return VrfProveResponse.newBuilder()
                    .setProof(ByteString.copyFrom(v.proof()))
                    .setOutput(ByteString.copyFrom(v.output()))
                    .build();
        });
    }

    static Identity toProto(SidecarIdentity id) {
        Identity.Builder b = Identity.newBuilder()
                .setEkCertificate(ByteString.copyFrom(id.ekCertificate()))
                .setEkPublic(ByteString.copyFrom(id.ekPublic()))
                .setAkPublic(ByteString.copyFrom(id.akPublic()))
                .setAkName(ByteString.copyFrom(id.akName()))
                .setNodeKeyPublic(ByteString.copyFrom(id.nodeKeyPublic()))
                .setCertifyAttest(ByteString.copyFrom(id.certifyAttest()))
                .setCertifySignature(ByteString.copyFrom(id.certifySignature()))
                .setVrfPublicKey(ByteString.copyFrom(id.vrfPublicKey()))
                .setVrfKeySignature(ByteString.copyFrom(id.vrfKeySignature()))
                .setChainId(id.chainId())
                .setHsmId(ByteString.copyFrom(id.hsmId()))
                .setSidecarEndpoint(id.sidecarEndpoint())
                .setMeasurementPcr(id.measurementPcr());
        id.intermediates().forEach(c -> b.addIntermediates(ByteString.copyFrom(c)));
        return b.build();
    }
}
