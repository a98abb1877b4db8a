package dev.teeledger.testkit.swtpm;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.vrf.VrfKeyBinding;
import dev.teeledger.protocol.sig.P256;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tpm.TpmtPublic;
import dev.teeledger.protocol.tpm.TpmtSignature;
import dev.teeledger.protocol.tx.TxBuilder;
import dev.teeledger.protocol.tx.v1.HsmJoin;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.TxType;
import dev.teeledger.protocol.x509.HsmId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/**
 * Join transactions built from a provisioned swtpm, signed by the TPM itself: the
 * node key never leaves the TPM, so signatures come from {@code tpm2_sign} over its
 * persistent handle. Shared by every IT that needs registered HSMs.
 */
public final class JoinTransactions {
    private JoinTransactions() {}

    /** The HSM id the chain will assign: SHA-256 of the EK certificate's SPKI. */
    public static byte[] hsmId(ProvisionedTpm tpm) {
        try {
            return HsmId.of(tpm.ekCertificate()).value();
        } catch (dev.teeledger.protocol.x509.EkCertificateException e) {
            throw new IllegalStateException("the fixture's EK certificate does not parse", e);
        }
    }

    /** A signed {@code TX_TYPE_HSM_JOIN} for this TPM with a fresh VRF key, as its node key signs it. */
    public static byte[] join(String chainId, ProvisionedTpm tpm) throws IOException {
        return join(chainId, tpm, freshVrfKey());
    }

    /**
     * A signed join that registers {@code vrfPublicKey} (33-byte compressed point), for tests that
     * keep the VRF secret to vote with later.
     */
    public static byte[] join(String chainId, ProvisionedTpm tpm, byte[] vrfPublicKey) throws IOException {
        return join(chainId, tpm, tpm.ekCertificate(), java.util.List.of(tpm.intermediateCertificate()), vrfPublicKey);
    }

    /**
     * The same join with another EK certificate for the TPM's EK and its intermediates, e.g. one
     * re-issued by another manufacturer root ({@code fixtures.TestManufacturerCa}) for a re-join.
     */
    public static byte[] join(String chainId, ProvisionedTpm tpm, byte[] ekCertificate, java.util.List<byte[]> intermediates)
            throws IOException {
        return join(chainId, tpm, ekCertificate, intermediates, freshVrfKey());
    }

    private static byte[] join(String chainId, ProvisionedTpm tpm, byte[] ekCertificate, java.util.List<byte[]> intermediates,
            byte[] vrfPublicKey) throws IOException {
        byte[] hsmId = hsmId(tpm);
        byte[] vrfKey = vrfPublicKey.clone();
        BigInteger[] rs = tpmSign(tpm, VrfKeyBinding.message(chainId, hsmId, vrfKey));
        byte[] vrfSig = new DERSequence(new ASN1Integer[] {new ASN1Integer(rs[0]), new ASN1Integer(rs[1])}).getEncoded();
        HsmJoin.Builder builder = HsmJoin.newBuilder().setEkCertificate(ByteString.copyFrom(ekCertificate));
        intermediates.forEach(c -> builder.addIntermediates(ByteString.copyFrom(c)));
        HsmJoin join = builder
                .setEkPublic(ByteString.copyFrom(tpm.ekPublic()))
                .setAkPublic(ByteString.copyFrom(tpm.akPublic()))
                .setNodeKeyPublic(ByteString.copyFrom(tpm.nodeKeyPublic()))
                .setCertifyAttest(ByteString.copyFrom(tpm.certifyAttest()))
                .setCertifySignature(ByteString.copyFrom(tpm.certifySignature()))
                .setVrfPublicKey(ByteString.copyFrom(vrfKey))
                .setVrfKeySignature(ByteString.copyFrom(vrfSig))
                .setSidecarEndpoint("https://hsm-" + tpm.index() + ".test:8443")
                .build();
        return TxBuilder.forChain(chainId).type(TxType.TX_TYPE_HSM_JOIN).payload(join).nonce(0).signer(nodeSigner(tpm)).build();
    }

    private static byte[] freshVrfKey() {
        return P256.G.multiply(new BigInteger(250, new SecureRandom()).add(BigInteger.ONE)).getEncoded(true);
    }

    /** The TPM's node key as a transaction signer (low-S P-256, as the chain requires). */
    public static Signer nodeSigner(ProvisionedTpm tpm) {
        TpmtPublic node = tpm.nodeKey();
        byte[] compressed = P256.CURVE.getCurve().createPoint(node.eccX(), node.eccY()).getEncoded(true);
        PublicKey key = PublicKey.newBuilder().setType(KeyType.KEY_TYPE_ECDSA_P256).setKey(ByteString.copyFrom(compressed)).build();
        return new Signer() {
            @Override
            public PublicKey publicKey() {
                return key;
            }

            @Override
            public byte[] sign(byte[] message) {
                BigInteger[] rs = tpmSign(tpm, message);
                return P256.encodeLowS(rs[0], rs[1]);
            }
        };
    }

    /** Signs SHA-256(message) with the TPM's persistent node key ({@code tpm2_sign}), returning (r, s). */
    public static BigInteger[] tpmSign(ProvisionedTpm tpm, byte[] message) {
        try {
            Path dir = Files.createTempDirectory(tpm.dir(), "sign");
            Files.write(dir.resolve("msg.bin"), message);
            ProcessBuilder pb = new ProcessBuilder("tpm2_sign", "-c", SwtpmFixture.NODE_KEY_HANDLE, "-g", "sha256",
                    "-s", "ecdsa", "-o", "sig.tss", "msg.bin").directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("sign.log").toFile());
            pb.environment().put("TPM2TOOLS_TCTI", tpm.tcti());
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("tpm2_sign failed: " + Files.readString(dir.resolve("sign.log")));
            }
            TpmtSignature sig = TpmtSignature.parse(Files.readAllBytes(dir.resolve("sig.tss")));
            return new BigInteger[] {sig.r(), sig.s()};
        } catch (IOException | InterruptedException | dev.teeledger.protocol.tpm.TpmFormatException e) {
            throw new IllegalStateException("signing with the swtpm node key failed", e);
        }
    }
}
