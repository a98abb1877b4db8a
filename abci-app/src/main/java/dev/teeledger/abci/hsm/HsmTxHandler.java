package dev.teeledger.abci.hsm;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.app.TxContext;
import dev.teeledger.abci.app.TxHandler;
import dev.teeledger.abci.gov.GovTxHandler;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.manufacturer.RootCertificate;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.P256;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import dev.teeledger.protocol.tpm.AkPolicy;
import dev.teeledger.protocol.tpm.CertifyVerifier;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmFormatException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tx.Canonical;
import dev.teeledger.protocol.tx.SignedTx;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.HsmRevoke;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.vrf.EcVrfPublicKey;
import dev.teeledger.protocol.vrf.VrfException;
import dev.teeledger.protocol.vrf.VrfKeyBinding;
import dev.teeledger.protocol.x509.EkCertificateException;
import dev.teeledger.protocol.x509.EkCertificateVerifier;
import dev.teeledger.protocol.x509.HsmId;
import dev.teeledger.protocol.x509.VerifiedEkCertificate;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The HSM registry's transactions: join (signed by the HSM's node key) and governance
 * revocation of one HSM. Everything is judged at the block time (the chain's only clock)
 * against state, so every node reaches the same verdict. Join checks, in this fixed order, each
 * with its own code; any rejection writes nothing:
 * <ol>
 *   <li>payload parses canonically (MALFORMED_PAYLOAD); at most 8 intermediates; endpoint
 *       1..256 printable ASCII (INVALID_SIDECAR_ENDPOINT); nonce 0 (BAD_NONCE);</li>
 *   <li>EK, AK and node key TPMT_PUBLIC parse strictly (MALFORMED_TPM_PUBLIC);</li>
 *   <li>the EK certificate validates against an ACTIVE manufacturer root, tried in ascending
 *       id order with the manufacturer's registered intermediates plus the supplied ones
 *       ({@link EkCertificateVerifier}: path, validity at block time, EK profile, key == EK;
 *       EK_CERT_* codes; a reason other than "unknown issuer" from any root wins, so an
 *       expired path is reported as expired, not as unknown);</li>
 *   <li>the re-join rule, now that the HSM id is known: no record (a first join), or a record
 *       whose manufacturer is revoked and which governance has not revoked (a re-join under the
 *       new root); a record revoked by governance gets HSM_REVOKED_CANNOT_REJOIN, any other
 *       record HSM_ALREADY_REGISTERED;</li>
 *   <li>the AK is a restricted, fixed, TPM-generated signing key ({@link AkPolicy};
 *       AK_POLICY_VIOLATION);</li>
 *   <li>the node key is an ECC NIST P-256 signing key (NODE_KEY_NOT_P256) and the AK's
 *       TPM2_Certify evidence certifies exactly it ({@link CertifyVerifier}; CERTIFY_INVALID);</li>
 *   <li>the transaction has one signer, the node key as a compressed P-256 {@link PublicKey}
 *       (JOIN_SIGNER_NOT_NODE_KEY); its signature was verified by the router;</li>
 *   <li>the VRF key decodes (INVALID_VRF_KEY) and the node key signed its binding
 *       ({@link VrfKeyBinding}; VRF_KEY_SIGNATURE_INVALID).</li>
 * </ol>
 * The registry check runs before the evidence checks because it is a cheap state read that
 * settles duplicates whatever the evidence; the signer check follows the evidence checks because
 * a node key means nothing until the certify evidence has tied it to an attested TPM. On
 * success the HSM is PENDING with everything its first attestation round needs.
 *
 * <p>Revoke ({@code TX_TYPE_HSM_REVOKE}): governance authority and nonce
 * ({@link GovTxHandler#authorize}), payload (MALFORMED_PAYLOAD), 32-byte id (INVALID_HSM_ID),
 * reason 1..256 bytes (INVALID_REVOCATION_REASON), a registered HSM (HSM_NOT_REGISTERED), not
 * already REVOKED (HSM_ALREADY_REVOKED). The HSM goes REVOKED from any state, for good.
 */
public final class HsmTxHandler implements TxHandler {
    public static final int MAX_INTERMEDIATES = 8;
    public static final int MAX_ENDPOINT_BYTES = 256;
    public static final int MAX_REASON_BYTES = 256;
    private static final HexFormat HEX = HexFormat.of();

    /** What another module does when an HSM has joined (the attestation module queues its first round). */
    @FunctionalInterface
    public interface JoinListener {
        void joined(TxContext ctx, HsmRecord record);
    }

    private final JoinListener onJoin;

    /** A handler that tells nobody about joins (registry-only tests). */
    public HsmTxHandler() {
        this((ctx, record) -> { });
    }

    public HsmTxHandler(JoinListener onJoin) {
        this.onJoin = onJoin;
    }

    @Override
    public void deliver(TxContext ctx, SignedTx tx) throws Rejection {
        switch (tx.type()) {
            case TX_TYPE_HSM_JOIN -> join(ctx, tx);
            case TX_TYPE_HSM_REVOKE -> revoke(ctx, tx);
            default -> throw new Rejection(ResultCode.UNKNOWN_TX_TYPE, tx.type().name());
        }
    }

    private void join(TxContext ctx, SignedTx tx) throws Rejection {
        HsmJoin join = Canonical.parse(HsmJoin.parser(), tx.payload(), ResultCode.MALFORMED_PAYLOAD);
        if (join.getIntermediatesCount() > MAX_INTERMEDIATES) {
            throw new Rejection(ResultCode.TOO_MANY_INTERMEDIATES, Integer.toString(join.getIntermediatesCount()));
        }
        String endpoint = join.getSidecarEndpoint();
        if (endpoint.isEmpty() || endpoint.length() > MAX_ENDPOINT_BYTES || !endpoint.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new Rejection(ResultCode.INVALID_SIDECAR_ENDPOINT, endpoint.length() + " characters");
        }
        if (tx.nonce() != 0) {
            throw new Rejection(ResultCode.BAD_NONCE, "a join carries nonce 0, got " + tx.nonce());
        }
        TpmtPublic ek = tpmPublic("EK", join.getEkPublic());
        TpmtPublic ak = tpmPublic("AK", join.getAkPublic());
        TpmtPublic node = tpmPublic("node key", join.getNodeKeyPublic());

        Endorsement endorsement = endorse(ctx, join, ek);
        VerifiedEkCertificate ekCert = endorsement.certificate();
        if (!RootCertificate.isWellFormed(ekCert.tpmManufacturer()) || !RootCertificate.isWellFormed(ekCert.tpmModel())
                || !RootCertificate.isWellFormed(ekCert.tpmVersion())) {
            throw new Rejection(ResultCode.EK_CERT_MALFORMED, "TPM subjectAltName is not well-formed Unicode");
        }
        byte[] hsmId = ekCert.hsmId().value();
        HsmKeeper keeper = new HsmKeeper(ctx);
        HsmRecord previous = keeper.find(hsmId);
        checkRejoin(ctx, hsmId, previous);

        try {
            AkPolicy.check(ak);
        } catch (TpmEvidenceException e) {
            throw new Rejection(ResultCode.AK_POLICY_VIOLATION, e.reason() + ": " + e.getMessage());
        }
        ECPoint nodePoint = nodeKeyPoint(node);
        try {
            CertifyVerifier.verify(ak, node, join.getCertifyAttest().toByteArray(), join.getCertifySignature().toByteArray(), null);
        } catch (TpmEvidenceException e) {
            throw new Rejection(ResultCode.CERTIFY_INVALID, e.reason() + ": " + e.getMessage());
        }

        PublicKey nodeKey = PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ECDSA_P256)
                .setKey(ByteString.copyFrom(nodePoint.getEncoded(true))).build();
        if (tx.signers().size() != 1 || !tx.signers().get(0).equals(nodeKey)) {
            throw new Rejection(ResultCode.JOIN_SIGNER_NOT_NODE_KEY,
                    tx.signers().size() + " signer(s); the node key is " + HEX.formatHex(nodeKey.getKey().toByteArray()));
        }

        byte[] vrfKey = join.getVrfPublicKey().toByteArray();
        try {
            EcVrfPublicKey.decode(vrfKey);
        } catch (VrfException | RuntimeException e) {
            throw new Rejection(ResultCode.INVALID_VRF_KEY, e.getMessage());
        }
        if (!VrfKeyBinding.verify(nodePoint, VrfKeyBinding.message(ctx.chainId(), hsmId, vrfKey), join.getVrfKeySignature().toByteArray())) {
            throw new Rejection(ResultCode.VRF_KEY_SIGNATURE_INVALID);
        }

        String id = HEX.formatHex(hsmId);
        String mid = HEX.formatHex(endorsement.manufacturer().getId().toByteArray());
        HsmRecord record = HsmRecord.newBuilder()
                .setHsmId(ByteString.copyFrom(hsmId))
                .setManufacturerId(endorsement.manufacturer().getId())
                .setState(HsmState.HSM_STATE_PENDING)
                .setEkCertificate(ByteString.copyFrom(ekCert.certificate()))
                .setEkPublic(join.getEkPublic())
                .setAkPublic(join.getAkPublic())
                .setAkName(ByteString.copyFrom(ak.name()))
                .setNodeKeyPublic(join.getNodeKeyPublic())
                .setNodeKey(nodeKey)
                .setVrfPublicKey(join.getVrfPublicKey())
                .setSidecarEndpoint(endpoint)
                .setTpmManufacturer(ekCert.tpmManufacturer())
                .setTpmModel(ekCert.tpmModel())
                .setTpmVersion(ekCert.tpmVersion())
                .setJoinedHeight(ctx.height())
                .setStateHeight(ctx.height())
                .setStateReason(previous == null ? "joined" : "re-joined under manufacturer " + mid)
                .build();
        if (previous == null) {
            keeper.register(record);
            ctx.emit("hsm.joined", "hsm_id", id, "manufacturer_id", mid, "state", HsmState.HSM_STATE_PENDING.name(), "endpoint", endpoint);
        } else {
            keeper.rejoin(previous, record);
            ctx.emit("hsm.rejoined", "hsm_id", id, "manufacturer_id", mid,
                    "previous_manufacturer_id", HEX.formatHex(previous.getManufacturerId().toByteArray()),
                    "previous_state", previous.getState().name(), "state", HsmState.HSM_STATE_PENDING.name(), "endpoint", endpoint);
        }
        onJoin.joined(ctx, record);
    }

    /**
     * The re-join rule (docs/registry.md): an EK may join again only when its record's
     * manufacturer has been revoked (the TPM is being re-endorsed by another, active root) and
     * governance has not revoked the HSM itself. Governance revocation is final for the EK.
     */
    private static void checkRejoin(TxContext ctx, byte[] hsmId, HsmRecord previous) throws Rejection {
        if (previous == null) {
            return;
        }
        String id = HEX.formatHex(hsmId);
        if (previous.getState() == HsmState.HSM_STATE_REVOKED) {
            throw new Rejection(ResultCode.HSM_REVOKED_CANNOT_REJOIN, id);
        }
        ManufacturerRecord m = new ManufacturerKeeper(ctx.store()).find(previous.getManufacturerId().toByteArray());
        if (m == null || m.getStatus() != ManufacturerStatus.MANUFACTURER_STATUS_REVOKED) {
            throw new Rejection(ResultCode.HSM_ALREADY_REGISTERED, id);
        }
    }

    private static void revoke(TxContext ctx, SignedTx tx) throws Rejection {
        GovTxHandler.authorize(ctx, tx);
        HsmRevoke r = Canonical.parse(HsmRevoke.parser(), tx.payload(), ResultCode.MALFORMED_PAYLOAD);
        if (r.getHsmId().size() != 32) {
            throw new Rejection(ResultCode.INVALID_HSM_ID, r.getHsmId().size() + " bytes");
        }
        int reasonBytes = r.getReason().getBytes(StandardCharsets.UTF_8).length;
        if (reasonBytes == 0 || reasonBytes > MAX_REASON_BYTES) {
            throw new Rejection(ResultCode.INVALID_REVOCATION_REASON, reasonBytes + " bytes");
        }
        byte[] hsmId = r.getHsmId().toByteArray();
        HsmKeeper keeper = new HsmKeeper(ctx);
        HsmRecord rec = keeper.find(hsmId);
        if (rec == null) {
            throw new Rejection(ResultCode.HSM_NOT_REGISTERED, HEX.formatHex(hsmId));
        }
        if (rec.getState() == HsmState.HSM_STATE_REVOKED) {
            throw new Rejection(ResultCode.HSM_ALREADY_REVOKED, HEX.formatHex(hsmId));
        }
        keeper.setState(rec, HsmState.HSM_STATE_REVOKED, ctx.height(), "governance: " + r.getReason());
        ctx.emit("hsm.revoked", "hsm_id", HEX.formatHex(hsmId), "manufacturer_id", HEX.formatHex(rec.getManufacturerId().toByteArray()),
                "previous_state", rec.getState().name(), "reason", r.getReason(), "height", Long.toString(ctx.height()));
    }

    /** The EK certificate verified against one active root, and which manufacturer that root is. */
    private record Endorsement(VerifiedEkCertificate certificate, ManufacturerRecord manufacturer) {}

    private static Endorsement endorse(TxContext ctx, HsmJoin join, TpmtPublic ek) throws Rejection {
        Instant at = RootCertificate.instant(ctx.time());
        byte[] cert = join.getEkCertificate().toByteArray();
        try {
            HsmId.of(EkCertificateVerifier.stripTcgPrefix(cert)); // malformed bytes get their code with or without roots
        } catch (EkCertificateException e) {
            throw new Rejection(ResultCode.EK_CERT_MALFORMED, e.getMessage());
        }
        EkCertificateException first = null;
        for (ManufacturerRecord m : new ManufacturerKeeper(ctx.store()).active()) {
            List<byte[]> pool = new ArrayList<>();
            join.getIntermediatesList().forEach(b -> pool.add(b.toByteArray()));
            m.getIntermediatesList().forEach(b -> pool.add(b.toByteArray()));
            try {
                EkCertificateVerifier verifier = new EkCertificateVerifier(List.of(m.getRootCertificate().toByteArray()));
                return new Endorsement(verifier.verify(cert, pool, ek, at), m);
            } catch (EkCertificateException e) {
                if (e.reason() != EkCertificateException.Reason.UNKNOWN_ISSUER && first == null) {
                    first = e;
                }
                if (e.reason() == EkCertificateException.Reason.MALFORMED) {
                    break; // the same bytes are malformed for every root
                }
            }
        }
        if (first == null) {
            throw new Rejection(ResultCode.EK_CERT_UNKNOWN_ISSUER, "no active manufacturer root issued this certificate");
        }
        throw new Rejection(code(first.reason()), first.getMessage());
    }

    static ResultCode code(EkCertificateException.Reason reason) {
        return switch (reason) {
            case MALFORMED -> ResultCode.EK_CERT_MALFORMED;
            case UNKNOWN_ISSUER -> ResultCode.EK_CERT_UNKNOWN_ISSUER;
            case BAD_SIGNATURE -> ResultCode.EK_CERT_BAD_SIGNATURE;
            case NOT_YET_VALID -> ResultCode.EK_CERT_NOT_YET_VALID;
            case EXPIRED -> ResultCode.EK_CERT_EXPIRED;
            case INVALID_PATH -> ResultCode.EK_CERT_INVALID_PATH;
            case MISSING_EK_EKU -> ResultCode.EK_CERT_MISSING_EKU;
            case MISSING_TPM_SAN -> ResultCode.EK_CERT_MISSING_TPM_SAN;
            case BAD_KEY_USAGE -> ResultCode.EK_CERT_BAD_KEY_USAGE;
            case KEY_MISMATCH -> ResultCode.EK_CERT_KEY_MISMATCH;
        };
    }

    private static TpmtPublic tpmPublic(String what, ByteString bytes) throws Rejection {
        try {
            return TpmtPublic.parse(bytes.toByteArray());
        } catch (TpmFormatException | RuntimeException e) {
            throw new Rejection(ResultCode.MALFORMED_TPM_PUBLIC, what + ": " + e.getMessage());
        }
    }

    /** The node key's point: an unrestricted ECC P-256 signing key that never decrypts. */
    private static ECPoint nodeKeyPoint(TpmtPublic node) throws Rejection {
        if (node.type() != TpmAlg.ECC || node.curve() != TpmAlg.CURVE_NIST_P256 || !node.sign() || node.decrypt()) {
            throw new Rejection(ResultCode.NODE_KEY_NOT_P256, node.toString());
        }
        try {
            ECPoint p = P256.CURVE.getCurve().validatePoint(node.eccX(), node.eccY()).normalize();
            if (p.isInfinity()) {
                throw new Rejection(ResultCode.NODE_KEY_NOT_P256, "point at infinity");
            }
            return p;
        } catch (RuntimeException e) {
            throw new Rejection(ResultCode.NODE_KEY_NOT_P256, "not a point on P-256: " + e.getMessage());
        }
    }
}
