package dev.teeledger.sidecar.tpm;

import dev.teeledger.protocol.sig.P256;
import dev.teeledger.protocol.tpm.AkPolicy;
import dev.teeledger.protocol.tpm.CertifyVerifier;
import dev.teeledger.protocol.tpm.MeasurementLog;
import dev.teeledger.protocol.tpm.TpmAlg;
import dev.teeledger.protocol.tpm.TpmEvidenceException;
import dev.teeledger.protocol.tpm.TpmFormatException;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tpm.TpmtSignature;
import dev.teeledger.protocol.vrf.EcVrf;
import dev.teeledger.protocol.vrf.EcVrfKeyPair;
import dev.teeledger.protocol.vrf.VrfKeyBinding;
import dev.teeledger.protocol.vrf.VrfException;
import dev.teeledger.protocol.x509.EkCertificateException;
import dev.teeledger.protocol.x509.EkCertificateVerifier;
import dev.teeledger.protocol.x509.HsmId;
import dev.teeledger.sidecar.evidence.NodeSignature;
import dev.teeledger.sidecar.evidence.QuoteEvidence;
import dev.teeledger.sidecar.evidence.SidecarIdentity;
import dev.teeledger.sidecar.evidence.VrfEvaluation;
import dev.teeledger.sidecar.tpm.SidecarException.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.bouncycastle.math.ec.ECPoint;
import tss.Tpm;
import tss.TpmException;
import tss.tpm.CreatePrimaryResponse;
import tss.tpm.CreateResponse;
import tss.tpm.GetCapabilityResponse;
import tss.tpm.NV_ReadPublicResponse;
import tss.tpm.PCR_ReadResponse;
import tss.tpm.StartAuthSessionResponse;
import tss.tpm.TPM2B_PRIVATE;
import tss.tpm.TPML_HANDLE;
import tss.tpm.TPMS_ID_OBJECT;
import tss.tpm.TPMS_NULL_SIG_SCHEME;
import tss.tpm.TPMS_PCR_SELECTION;
import tss.tpm.TPMS_SENSITIVE_CREATE;
import tss.tpm.TPMS_TIME_INFO;
import tss.tpm.TPMT_PUBLIC;
import tss.tpm.TPMT_SYM_DEF;
import tss.tpm.TPMT_TK_HASHCHECK;
import tss.tpm.TPM_ALG_ID;
import tss.tpm.TPM_CAP;
import tss.tpm.TPM_HANDLE;
import tss.tpm.TPM_RC;
import tss.tpm.TPM_RH;
import tss.tpm.TPM_SE;

/**
 * The node TPM as the sidecar API sees it: provisioning (idempotent), identity, credential
 * activation, quote, node-key signing and VRF proofs. All TPM work goes through one
 * {@link TpmSession}, so operations are serialised and every transient handle is flushed.
 * Called by the gRPC service and the REST resource; thread-safe.
 *
 * <p>Provisioning runs on the first call that needs it (and at start, from the Quarkus layer), so
 * a sidecar that starts while the TPM is unreachable keeps running, reports itself unhealthy and
 * provisions once the TPM answers. It uses the persistent EK (creating it from the TCG template if
 * absent), the AK and node key at their persistent handles (creating primaries in the endorsement
 * resp. owner hierarchy and persisting them if absent), certifies the node key with the AK,
 * unseals the VRF key (generating and sealing it under the owner SRK on first start) and measures
 * the configured components. Persistent keys, the sealed blob and the saved evidence make the
 * identity the same after a sidecar restart and after a TPM reset.
 */
public final class NodeTpm implements AutoCloseable {

    /** Shortest and longest quote nonce: at least 128 bits of freshness, at most one SHA-256 digest. */
    public static final int MIN_NONCE = 16;
    public static final int MAX_NONCE = 32;
    /** Longest VRF input accepted. */
    public static final int MAX_VRF_INPUT = 1024;
    /** Longest credential blob / encrypted secret accepted (TPM2B limits for RSA-2048 / SHA-256 are far below). */
    private static final int MAX_BLOB = 1024;
    /** TCG EK Credential Profile 2.0 §2.2.1.5: EK certificate chain NV range. */
    private static final int CHAIN_NV_FIRST = 0x01C00100;
    private static final int CHAIN_NV_LAST = 0x01C001FF;
    private static final int NV_CHUNK = 512;
    private static final String VRF_FILE = "vrf-key.sealed";
    private static final String VRF_MAGIC = "TLVS";
    private static final String EVIDENCE_FILE = "identity-evidence.bin";
    private static final String EVIDENCE_MAGIC = "TLIE";

    private final TpmSession session;
    private final NodeTpmConfig config;
    private final SecureRandom random;
    private final StateFiles files;
    private final ComponentMeasurements measurements;
    private final Object provisionLock = new Object();
    private volatile Provisioned provisioned;

    private record Provisioned(SidecarIdentity identity, EcVrfKeyPair vrf, TpmtPublic ak, TpmtPublic ek) {}

    /**
     * Hashes the configured components (failing fast on an unreadable file); touches no TPM.
     */
    public NodeTpm(TpmSession session, NodeTpmConfig config, SecureRandom random) {
        this.session = session;
        this.config = config;
        this.random = random;
        this.files = new StateFiles(config.stateDir());
        this.measurements = new ComponentMeasurements(config.measurementPcr(), config.components(), files);
    }

    /** True once provisioning has succeeded in this process. */
    public boolean provisioned() {
        return provisioned != null;
    }

    /** The entries measured at start (what an allow-list must approve). */
    public List<MeasurementLog.Entry> measuredComponents() {
        return measurements.wanted();
    }

    /** Provisions if needed and returns the identity. */
    public SidecarIdentity identity() throws SidecarException {
        return ensureProvisioned().identity();
    }

    /**
     * A cheap liveness question to the TPM (TPM2_ReadClock).
     *
     * @return the TPM's clock info, e.g. to observe resets
     */
    public TPMS_TIME_INFO probe() throws SidecarException {
        return session.call("probe", ctx -> ctx.tpm().ReadClock());
    }

    /** {@link #probe()} waiting at most {@code timeout}, for health checks that must answer quickly. */
    public TPMS_TIME_INFO probe(java.time.Duration timeout) throws SidecarException {
        return session.call("probe", timeout, ctx -> ctx.tpm().ReadClock());
    }

    /**
     * TPM2_ActivateCredential with the AK as the activated object and the EK as the decryption
     * key, authorised by PolicySecret(TPM_RH_ENDORSEMENT) as the EK's policy demands.
     *
     * @param credentialBlob  TPM2B_ID_OBJECT (with its UINT16 size) from MakeCredential
     * @param encryptedSecret TPM2B_ENCRYPTED_SECRET (with its UINT16 size)
     * @return the recovered secret
     */
    public byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret) throws SidecarException {
        byte[] idObject = tpm2bContent("credential blob", credentialBlob);
        byte[] secret = tpm2bContent("encrypted secret", encryptedSecret);
        TPMS_ID_OBJECT id = parseIdObject(idObject);
        ensureProvisioned();
        return session.call("activate_credential", ctx -> {
            Tpm tpm = ctx.tpm();
            byte[] nonceCaller = new byte[16];
            random.nextBytes(nonceCaller);
            StartAuthSessionResponse policy = tpm.StartAuthSession(TPM_HANDLE.NULL, TPM_HANDLE.NULL, nonceCaller,
                    new byte[0], TPM_SE.POLICY, TPMT_SYM_DEF.nullObject(), TPM_ALG_ID.SHA256);
            ctx.track(policy.handle);
            tpm.PolicySecret(TPM_HANDLE.from(TPM_RH.ENDORSEMENT), policy.handle, new byte[0], new byte[0], new byte[0], 0);
            return tpm._withSessions(TPM_HANDLE.pwSession(new byte[0]), policy.handle)
                    .ActivateCredential(new TPM_HANDLE(config.akHandle()), new TPM_HANDLE(config.ekHandle()), id, secret);
        });
    }

    /**
     * TPM2_Quote by the AK over the given SHA-256 PCRs, after making sure the measurement PCR and
     * its log agree; then PCR_Read of the same PCRs.
     *
     * @param nonce qualifying data, {@value #MIN_NONCE}..{@value #MAX_NONCE} bytes
     * @param pcrs  PCR indices 0..23, at least one, no duplicates
     */
    public QuoteEvidence quote(byte[] nonce, List<Integer> pcrs) throws SidecarException {
        if (nonce == null || nonce.length < MIN_NONCE || nonce.length > MAX_NONCE) {
            throw SidecarException.invalid("nonce must be " + MIN_NONCE + ".." + MAX_NONCE + " bytes, got "
                    + (nonce == null ? 0 : nonce.length));
        }
        byte[] bitmap = selection(pcrs);
        ensureProvisioned();
        return session.call("quote", ctx -> {
            Tpm tpm = ctx.tpm();
            MeasurementLog log = measurements.ensure(tpm);
            tpm.Quote(new TPM_HANDLE(config.akHandle()), nonce, new TPMS_NULL_SIG_SCHEME(),
                    new TPMS_PCR_SELECTION[] {new TPMS_PCR_SELECTION(TPM_ALG_ID.SHA256, bitmap)});
            RawResponse raw = new RawResponse(ctx.lastResponse(), 0);
            byte[] attest = raw.tpm2b();
            byte[] signature = raw.rest();
            return new QuoteEvidence(attest, signature, readPcrs(tpm, new TreeSet<>(pcrs)), log.encode());
        });
    }

    /**
     * TPM2_Sign by the node key over a SHA-256 digest (ECDSA P-256; the key fixes the scheme).
     *
     * @param digest exactly 32 bytes
     */
    public NodeSignature sign(byte[] digest) throws SidecarException {
        if (digest == null || digest.length != 32) {
            throw SidecarException.invalid("digest must be 32 bytes (SHA-256), got " + (digest == null ? 0 : digest.length));
        }
        ensureProvisioned();
        return session.call("sign", ctx -> signWith(ctx, digest));
    }

    /**
     * ECVRF-P256-SHA256-TAI proof and output for {@code alpha} with the VRF key unsealed at
     * provisioning; needs no TPM round trip.
     *
     * @param alpha at most {@value #MAX_VRF_INPUT} bytes
     */
    public VrfEvaluation vrfProve(byte[] alpha) throws SidecarException {
        if (alpha == null || alpha.length > MAX_VRF_INPUT) {
            throw SidecarException.invalid("VRF input must be at most " + MAX_VRF_INPUT + " bytes");
        }
        EcVrfKeyPair vrf = ensureProvisioned().vrf();
        try {
            byte[] proof = vrf.prove(alpha);
            return new VrfEvaluation(proof, EcVrf.proofToHash(proof));
        } catch (VrfException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "VRF evaluation failed: " + e.getMessage(), e);
        }
    }

    /**
     * Drops the TPM connection; the next call reconnects. A TPM simulator serves one client at a
     * time (swtpm does), so this lets platform tools in, e.g. to send TPM2_Startup after a reset.
     */
    public void disconnect() {
        session.reconnect();
    }

    @Override
    public void close() {
        session.close();
    }

    // ---------------------------------------------------------------- provisioning

    private Provisioned ensureProvisioned() throws SidecarException {
        Provisioned p = provisioned;
        if (p != null) {
            return p;
        }
        synchronized (provisionLock) {
            if (provisioned == null) {
                provisioned = provision();
            }
            return provisioned;
        }
    }

    private Provisioned provision() throws SidecarException {
        byte[] ekBytes = session.call("provision_ek",
                ctx -> ensurePersistent(ctx, config.ekHandle(), TPM_RH.ENDORSEMENT, KeyTemplates.rsaEk(), "EK"));
        TpmtPublic ek = parsePublic("EK", ekBytes);
        byte[] ekCert = session.call("read_ek_certificate", ctx -> readNv(ctx.tpm(), config.ekCertNvIndex()));
        byte[] ekCertDer;
        byte[] hsmId;
        try {
            ekCertDer = EkCertificateVerifier.stripTcgPrefix(ekCert);
            hsmId = HsmId.of(ekCertDer).value();
        } catch (EkCertificateException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, String.format(
                    "EK certificate at NV 0x%08X does not parse: %s", config.ekCertNvIndex(), e.getMessage()), e);
        }
        List<byte[]> intermediates = intermediates();

        byte[] akBytes = session.call("provision_ak",
                ctx -> ensurePersistent(ctx, config.akHandle(), TPM_RH.ENDORSEMENT, KeyTemplates.ak(config.akAlgorithm()), "AK"));
        TpmtPublic ak = parsePublic("AK", akBytes);
        try {
            AkPolicy.check(ak);
        } catch (TpmEvidenceException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, String.format(
                    "the key at 0x%08X is not a usable AK: %s", config.akHandle(), e.getMessage()), e);
        }
        byte[] nodeBytes = session.call("provision_node_key",
                ctx -> ensurePersistent(ctx, config.nodeKeyHandle(), TPM_RH.OWNER, KeyTemplates.nodeKey(), "node key"));
        TpmtPublic node = parsePublic("node key", nodeBytes);
        ECPoint nodePoint = nodePoint(node);

        EcVrfKeyPair vrf = vrfKey();
        byte[] vrfPublic = vrf.publicKey().encoded();
        byte[][] evidence = evidence(ak, node, nodePoint, hsmId, vrfPublic);
        session.call("measure", ctx -> measurements.ensure(ctx.tpm()));

        SidecarIdentity identity = new SidecarIdentity(ekCertDer, intermediates, ekBytes, akBytes, ak.name(), nodeBytes,
                evidence[0], evidence[1], vrfPublic, evidence[2], config.chainId(), hsmId, config.endpoint(),
                config.measurementPcr());
        return new Provisioned(identity, vrf, ak, ek);
    }

    /** The public area at {@code handle}; if none, a primary from {@code template}, made persistent. */
    private static byte[] ensurePersistent(TpmSession.Context ctx, int handle, TPM_RH hierarchy, TPMT_PUBLIC template,
            String what) throws SidecarException {
        Tpm tpm = ctx.tpm();
        try {
            tpm.ReadPublic(new TPM_HANDLE(handle));
            return new RawResponse(ctx.lastResponse(), 0).tpm2b();
        } catch (TpmException e) {
            if (e.ResponseCode != TPM_RC.HANDLE) {
                throw e;
            }
        }
        CreatePrimaryResponse created = tpm.CreatePrimary(TPM_HANDLE.from(hierarchy),
                new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]), template, new byte[0], new TPMS_PCR_SELECTION[0]);
        ctx.track(created.handle);
        // Persistent handles in the owner range are authorised by the owner (Part 3 §28.5).
        tpm.EvictControl(TPM_HANDLE.from(TPM_RH.OWNER), created.handle, new TPM_HANDLE(handle));
        ctx.flush(created.handle);
        tpm.ReadPublic(new TPM_HANDLE(handle));
        return new RawResponse(ctx.lastResponse(), 0).tpm2b();
    }

    private static byte[] readNv(Tpm tpm, int index) throws SidecarException {
        NV_ReadPublicResponse pub = tpm.NV_ReadPublic(new TPM_HANDLE(index));
        int size = pub.nvPublic.dataSize;
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        for (int off = 0; off < size; off += NV_CHUNK) {
            // EK certificate indices are readable with owner authorisation (TCG EK profile §2.2.1.5).
            out.writeBytes(tpm.NV_Read(TPM_HANDLE.from(TPM_RH.OWNER), new TPM_HANDLE(index), Math.min(NV_CHUNK, size - off), off));
        }
        return out.toByteArray();
    }

    /** Chain certificates from the TCG chain NV range, then the configured files; duplicates dropped. */
    private List<byte[]> intermediates() throws SidecarException {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> fromNv = session.call("read_certificate_chain", ctx -> {
            GetCapabilityResponse caps = ctx.tpm().GetCapability(TPM_CAP.HANDLES, CHAIN_NV_FIRST, 64);
            List<byte[]> blobs = new ArrayList<>();
            for (TPM_HANDLE h : ((TPML_HANDLE) caps.capabilityData).handle) {
                if (Integer.compareUnsigned(h.handle, CHAIN_NV_LAST) <= 0) {
                    blobs.add(readNv(ctx.tpm(), h.handle));
                }
            }
            return blobs;
        });
        for (byte[] blob : fromNv) {
            for (byte[] cert : splitDer(blob)) {
                addDistinct(out, cert);
            }
        }
        for (Path file : config.intermediateFiles()) {
            try {
                for (byte[] cert : certificatesIn(Files.readAllBytes(file))) {
                    addDistinct(out, cert);
                }
            } catch (IOException e) {
                throw new SidecarException(Reason.FAILED_PRECONDITION, "cannot read intermediate " + file + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private EcVrfKeyPair vrfKey() throws SidecarException {
        List<byte[]> sealed;
        try {
            sealed = files.read(VRF_FILE, VRF_MAGIC);
        } catch (IOException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "cannot read " + files.path(VRF_FILE) + ": " + e.getMessage(), e);
        }
        if (sealed == null) {
            if (Files.exists(files.path(VRF_FILE))) {
                throw new SidecarException(Reason.FAILED_PRECONDITION, files.path(VRF_FILE) + " is not a sealed VRF key");
            }
            EcVrfKeyPair generated = EcVrf.generate(random);
            byte[] secret = generated.secretKey();
            try {
                byte[][] blob = session.call("seal_vrf_key", ctx -> {
                    TPM_HANDLE srk = createSrk(ctx);
                    CreateResponse created = ctx.tpm().Create(srk, new TPMS_SENSITIVE_CREATE(new byte[0], secret),
                            KeyTemplates.sealedData(), new byte[0], new TPMS_PCR_SELECTION[0]);
                    return new byte[][] {created.outPublic.toTpm(), created.outPrivate.buffer};
                });
                files.write(VRF_FILE, VRF_MAGIC, blob[0], blob[1]);
            } catch (IOException e) {
                throw new SidecarException(Reason.FAILED_PRECONDITION, "cannot write " + files.path(VRF_FILE) + ": " + e.getMessage(), e);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
            sealed = List.of();
            try {
                sealed = files.read(VRF_FILE, VRF_MAGIC);
            } catch (IOException e) {
                throw new SidecarException(Reason.FAILED_PRECONDITION, "cannot re-read " + files.path(VRF_FILE), e);
            }
        }
        if (sealed == null || sealed.size() != 2) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, files.path(VRF_FILE) + " is not a sealed VRF key");
        }
        byte[] pub = sealed.get(0);
        byte[] priv = sealed.get(1);
        byte[] secret;
        try {
            // Unseal even right after sealing: proves the blob on disk is the one that works.
            secret = session.call("unseal_vrf_key", ctx -> {
                TPM_HANDLE srk = createSrk(ctx);
                TPM_HANDLE obj = ctx.track(ctx.tpm().Load(srk, new TPM2B_PRIVATE(priv), TPMT_PUBLIC.fromBytes(pub)));
                return ctx.tpm().Unseal(obj);
            });
        } catch (SidecarException e) {
            if (e.reason() == Reason.TPM_ERROR) {
                throw new SidecarException(Reason.FAILED_PRECONDITION, "the sealed VRF key in " + files.path(VRF_FILE)
                        + " does not load on this TPM (owner hierarchy cleared, or the state directory belongs to"
                        + " another TPM): " + e.getMessage(), e.tpmResponseCode(), e);
            }
            throw e;
        }
        try {
            return EcVrf.fromSecret(secret);
        } catch (VrfException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "the unsealed VRF key is invalid: " + e.getMessage(), e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static TPM_HANDLE createSrk(TpmSession.Context ctx) {
        CreatePrimaryResponse srk = ctx.tpm().CreatePrimary(TPM_HANDLE.from(TPM_RH.OWNER),
                new TPMS_SENSITIVE_CREATE(new byte[0], new byte[0]), KeyTemplates.storageRoot(), new byte[0],
                new TPMS_PCR_SELECTION[0]);
        return ctx.track(srk.handle);
    }

    /**
     * Certify evidence and the VRF key binding signature: the saved ones if they still verify for
     * these keys and this chain id, else fresh ones (saved for the next start).
     */
    private byte[][] evidence(TpmtPublic ak, TpmtPublic node, ECPoint nodePoint, byte[] hsmId, byte[] vrfPublic)
            throws SidecarException {
        byte[] bindingDigest = VrfKeyBinding.digest(VrfKeyBinding.message(config.chainId(), hsmId, vrfPublic));
        try {
            List<byte[]> saved = files.read(EVIDENCE_FILE, EVIDENCE_MAGIC);
            if (saved != null && saved.size() == 3 && evidenceValid(ak, node, nodePoint, bindingDigest, saved)) {
                return saved.toArray(new byte[0][]);
            }
        } catch (IOException e) {
            // unreadable: produce fresh evidence below
        }
        byte[][] fresh = session.call("certify", ctx -> {
            ctx.tpm().Certify(new TPM_HANDLE(config.nodeKeyHandle()), new TPM_HANDLE(config.akHandle()), new byte[0],
                    new TPMS_NULL_SIG_SCHEME());
            RawResponse raw = new RawResponse(ctx.lastResponse(), 0);
            byte[] attest = raw.tpm2b();
            byte[] sig = raw.rest();
            NodeSignature binding = signWith(ctx, bindingDigest);
            return new byte[][] {attest, sig, binding.der()};
        });
        if (!evidenceValid(ak, node, nodePoint, bindingDigest, List.of(fresh))) {
            throw new SidecarException(Reason.FAILED_PRECONDITION,
                    "the TPM's certify evidence or VRF key binding does not verify; refusing to serve it");
        }
        try {
            files.write(EVIDENCE_FILE, EVIDENCE_MAGIC, fresh);
        } catch (IOException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "cannot write " + files.path(EVIDENCE_FILE) + ": " + e.getMessage(), e);
        }
        return fresh;
    }

    private static boolean evidenceValid(TpmtPublic ak, TpmtPublic node, ECPoint nodePoint, byte[] bindingDigest,
            List<byte[]> evidence) {
        try {
            CertifyVerifier.verify(ak, node, evidence.get(0), evidence.get(1), null);
        } catch (TpmEvidenceException e) {
            return false;
        }
        try {
            org.bouncycastle.asn1.ASN1Sequence seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(evidence.get(2));
            BigInteger r = org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
            BigInteger s = org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
            return seq.size() == 2 && VrfKeyBinding.verifies(nodePoint, bindingDigest, r, s);
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- helpers

    private NodeSignature signWith(TpmSession.Context ctx, byte[] digest) throws SidecarException {
        ctx.tpm().Sign(new TPM_HANDLE(config.nodeKeyHandle()), digest, new TPMS_NULL_SIG_SCHEME(),
                TPMT_TK_HASHCHECK.nullTicket());
        byte[] tpmSig = new RawResponse(ctx.lastResponse(), 0).rest();
        TpmtSignature sig;
        try {
            sig = TpmtSignature.parse(tpmSig);
        } catch (TpmFormatException e) {
            throw new SidecarException(Reason.TPM_UNAVAILABLE, "the TPM returned an unparsable signature: " + e.getMessage(), e);
        }
        if (sig.sigAlg() != TpmAlg.ECDSA) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "the node key did not sign with ECDSA");
        }
        return new NodeSignature(VrfKeyBinding.der(sig.r(), sig.s()), P256.encodeLowS(sig.r(), sig.s()), tpmSig);
    }

    private static List<QuoteEvidence.PcrValue> readPcrs(Tpm tpm, TreeSet<Integer> wanted) {
        TreeMap<Integer, byte[]> values = new TreeMap<>();
        TreeSet<Integer> remaining = new TreeSet<>(wanted);
        // TPM2_PCR_Read returns at most 8 digests per call (Part 3 §22.4): ask again for the rest.
        while (!remaining.isEmpty()) {
            byte[] bitmap = new byte[3];
            remaining.forEach(i -> bitmap[i / 8] |= (byte) (1 << (i % 8)));
            PCR_ReadResponse r = tpm.PCR_Read(new TPMS_PCR_SELECTION[] {new TPMS_PCR_SELECTION(TPM_ALG_ID.SHA256, bitmap)});
            List<Integer> returned = new ArrayList<>();
            for (TPMS_PCR_SELECTION s : r.pcrSelectionOut) {
                for (int i = 0; i < s.pcrSelect.length * 8; i++) {
                    if ((s.pcrSelect[i / 8] & (1 << (i % 8))) != 0) {
                        returned.add(i);
                    }
                }
            }
            if (returned.isEmpty() || returned.size() != r.pcrValues.length) {
                throw new TpmException("PCR_Read returned no values for " + remaining);
            }
            for (int k = 0; k < returned.size(); k++) {
                values.put(returned.get(k), r.pcrValues[k].buffer);
                remaining.remove(returned.get(k));
            }
        }
        List<QuoteEvidence.PcrValue> out = new ArrayList<>();
        values.forEach((i, v) -> out.add(new QuoteEvidence.PcrValue(i, v)));
        return out;
    }

    /** The SHA-256 pcrSelect bitmap (3 bytes, PC Client 24 PCRs) for {@code pcrs}. */
    static byte[] selection(List<Integer> pcrs) throws SidecarException {
        if (pcrs == null || pcrs.isEmpty()) {
            throw SidecarException.invalid("select at least one PCR");
        }
        byte[] bitmap = new byte[3];
        for (Integer i : pcrs) {
            if (i == null || i < 0 || i >= MeasurementLog.PCR_COUNT) {
                throw SidecarException.invalid("unknown PCR " + i + ": the SHA-256 bank has PCRs 0..23");
            }
            if ((bitmap[i / 8] & (1 << (i % 8))) != 0) {
                throw SidecarException.invalid("PCR " + i + " selected twice");
            }
            bitmap[i / 8] |= (byte) (1 << (i % 8));
        }
        return bitmap;
    }

    private static byte[] tpm2bContent(String what, byte[] tpm2b) throws SidecarException {
        if (tpm2b == null || tpm2b.length < 2 || tpm2b.length > MAX_BLOB) {
            throw SidecarException.invalid(what + " must be a TPM2B of 2.." + MAX_BLOB + " bytes");
        }
        int size = ((tpm2b[0] & 0xff) << 8) | (tpm2b[1] & 0xff);
        if (size != tpm2b.length - 2 || size == 0) {
            throw SidecarException.invalid(what + ": TPM2B size " + size + " does not match its " + (tpm2b.length - 2)
                    + " content bytes");
        }
        return Arrays.copyOfRange(tpm2b, 2, tpm2b.length);
    }

    /** TPMS_ID_OBJECT (Part 2 Table 214): TPM2B_DIGEST integrityHMAC, then encIdentity to the end. */
    private static TPMS_ID_OBJECT parseIdObject(byte[] content) throws SidecarException {
        int hmacSize = ((content[0] & 0xff) << 8) | (content.length > 1 ? content[1] & 0xff : 0);
        if (content.length < 2 || hmacSize == 0 || hmacSize > 64 || 2 + hmacSize >= content.length) {
            throw SidecarException.invalid("credential blob: malformed TPMS_ID_OBJECT");
        }
        return new TPMS_ID_OBJECT(Arrays.copyOfRange(content, 2, 2 + hmacSize),
                Arrays.copyOfRange(content, 2 + hmacSize, content.length));
    }

    private static TpmtPublic parsePublic(String what, byte[] bytes) throws SidecarException {
        try {
            return TpmtPublic.parse(bytes);
        } catch (TpmFormatException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "the TPM's " + what + " public area does not parse: "
                    + e.getMessage(), e);
        }
    }

    private ECPoint nodePoint(TpmtPublic node) throws SidecarException {
        if (node.type() != TpmAlg.ECC || node.curve() != TpmAlg.CURVE_NIST_P256 || !node.sign() || node.decrypt()
                || node.restricted() || !node.fixedTpm()) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, String.format(
                    "the key at 0x%08X is not an unrestricted, fixedTPM ECC P-256 signing key", config.nodeKeyHandle()));
        }
        try {
            return P256.CURVE.getCurve().validatePoint(node.eccX(), node.eccY()).normalize();
        } catch (RuntimeException e) {
            throw new SidecarException(Reason.FAILED_PRECONDITION, "the node key is not a P-256 point", e);
        }
    }

    private static void addDistinct(List<byte[]> out, byte[] cert) {
        for (byte[] have : out) {
            if (Arrays.equals(have, cert)) {
                return;
            }
        }
        out.add(cert);
    }

    /** Concatenated DER certificates (the TCG chain index format) split at SEQUENCE boundaries. */
    static List<byte[]> splitDer(byte[] blob) {
        List<byte[]> out = new ArrayList<>();
        int pos = 0;
        while (pos + 2 <= blob.length && blob[pos] == 0x30) {
            int lenByte = blob[pos + 1] & 0xff;
            int header = 2;
            int len;
            if (lenByte < 0x80) {
                len = lenByte;
            } else {
                int n = lenByte & 0x7f;
                if (n < 1 || n > 3 || pos + 2 + n > blob.length) {
                    break;
                }
                len = 0;
                for (int k = 0; k < n; k++) {
                    len = (len << 8) | (blob[pos + 2 + k] & 0xff);
                }
                header += n;
            }
            if (pos + header + len > blob.length) {
                break;
            }
            out.add(Arrays.copyOfRange(blob, pos, pos + header + len));
            pos += header + len;
        }
        return out;
    }

    /** DER certificates from a DER file or a PEM file with one or more certificates. */
    static List<byte[]> certificatesIn(byte[] file) {
        String text = new String(file, StandardCharsets.US_ASCII);
        if (!text.contains("-----BEGIN CERTIFICATE-----")) {
            return splitDer(file);
        }
        List<byte[]> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int b = text.indexOf("-----BEGIN CERTIFICATE-----", from);
            int e = text.indexOf("-----END CERTIFICATE-----", b + 1);
            if (b < 0 || e < 0) {
                return out;
            }
            out.add(Base64.getMimeDecoder().decode(text.substring(b + 27, e)));
            from = e + 25;
        }
    }
}
