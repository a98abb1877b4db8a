package dev.teeledger.agent;

import com.google.protobuf.ByteString;
import dev.teeledger.protocol.state.v1.AttestationRound;
import dev.teeledger.protocol.state.v1.FirmwareRecord;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.LastAttestation;
import dev.teeledger.protocol.state.v1.RoundStatus;
import dev.teeledger.protocol.tx.v1.AttestationVote;
import dev.teeledger.protocol.tx.v1.Tx;
import dev.teeledger.protocol.tx.v1.TxBody;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/** In-memory chain and sidecars for the agent's unit tests. */
final class Fakes {
    private Fakes() {}

    static final String CHAIN = "agent-unit";
    static final byte[] SELF = id(1);
    static final byte[] TESTEE = id(2);

    static byte[] id(int b) {
        byte[] id = new byte[32];
        Arrays.fill(id, (byte) b);
        return id;
    }

    static AttestationRound round(long id, byte[] testee, long opened, long deadline, RoundStatus status) {
        return AttestationRound.newBuilder().setId(id).setTestee(ByteString.copyFrom(testee)).setSeed(ByteString.copyFrom(id(9)))
                .setOpenedHeight(opened).setDeadlineHeight(deadline).setTotalShares(ByteString.copyFrom(BigInteger.valueOf(100).toByteArray()))
                .setCommitteeSize(1).setQuorumVotes(1).setMaxVotes(5).setStatus(status).build();
    }

    /** The default RSA-2048 EK template (TCG EK Credential Profile L-1) around a fresh modulus. */
    static byte[] rsaEkPublic() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        BigInteger n = ((RSAPublicKey) g.generateKeyPair().getPublic()).getModulus();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x01, 0x00, 0x0b, 0x00, 0x03, 0x00, (byte) 0xb2, 0x00, 0x20});
        out.writeBytes(new byte[32]);
        out.writeBytes(new byte[] {0x00, 0x06, 0x00, (byte) 0x80, 0x00, 0x43, 0x00, 0x10, 0x08, 0x00, 0, 0, 0, 0, 0x01, 0x00});
        byte[] m = n.toByteArray();
        out.writeBytes(Arrays.copyOfRange(m, m.length - 256, m.length));
        return out.toByteArray();
    }

    /** A P-256 ECDSA signing key's TPMT_PUBLIC (the generator point as the key: only parsed, never verified). */
    static byte[] eccNodeKeyPublic() {
        var g = dev.teeledger.protocol.sig.P256.CURVE.getG().normalize();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x00, 0x23, 0x00, 0x0b, 0x00, 0x04, 0x00, 0x72, 0x00, 0x00});
        out.writeBytes(new byte[] {0x00, 0x10, 0x00, 0x18, 0x00, 0x0b, 0x00, 0x03, 0x00, 0x10});
        out.writeBytes(new byte[] {0x00, 0x20});
        out.writeBytes(g.getAffineXCoord().getEncoded());
        out.writeBytes(new byte[] {0x00, 0x20});
        out.writeBytes(g.getAffineYCoord().getEncoded());
        return out.toByteArray();
    }

    static AttestationVote voteOf(byte[] tx) throws Exception {
        TxBody body = TxBody.parseFrom(Tx.parseFrom(tx).getBody());
        return AttestationVote.parseFrom(body.getPayload());
    }

    /** A chain whose height is a function of how often it was read. */
    static final class Chain implements ChainView {
        final Map<Long, AttestationRound> rounds = new HashMap<>();
        final Map<String, HsmRecord> hsms = new HashMap<>();
        final Map<String, BigInteger> shares = new HashMap<>();
        final List<byte[]> submitted = new ArrayList<>();
        final Deque<Integer> checkTxCodes = new ArrayDeque<>();
        long height = 10;
        long heightReads;
        LongUnaryOperator heightAfterReads = reads -> height;
        boolean commits = true;
        int commitCode = 0;

        Chain() {
            hsm(SELF, HsmState.HSM_STATE_ACTIVE, new byte[0]);
        }

        void hsm(byte[] id, HsmState state, byte[] keys) {
            hsms.put(Arrays.toString(id), HsmRecord.newBuilder().setHsmId(ByteString.copyFrom(id)).setState(state)
                    .setEkPublic(ByteString.copyFrom(keys)).setAkPublic(ByteString.copyFrom(keys))
                    .setSidecarEndpoint("http://127.0.0.1:1").build());
        }

        @Override
        public long height() {
            return heightAfterReads.applyAsLong(++heightReads);
        }

        @Override
        public Optional<AttestationRound> round(long id) {
            return Optional.ofNullable(rounds.get(id));
        }

        @Override
        public Optional<HsmRecord> hsm(byte[] hsmId) {
            return Optional.ofNullable(hsms.get(Arrays.toString(hsmId)));
        }

        @Override
        public BigInteger sharesAt(byte[] hsmId, long h) {
            return shares.getOrDefault(Arrays.toString(hsmId), BigInteger.valueOf(50));
        }

        @Override
        public long balanceOf(BigInteger s) {
            return s.longValue() * 10_000;
        }

        @Override
        public long param(String name, long fallback) {
            return fallback;
        }

        @Override
        public Optional<LastAttestation> lastAttestation(byte[] hsmId) {
            return Optional.empty();
        }

        @Override
        public Optional<FirmwareRecord> firmware(byte[] sha256) {
            return Optional.empty();
        }

        @Override
        public Submission submit(byte[] tx) {
            submitted.add(tx);
            int code = checkTxCodes.isEmpty() ? 0 : checkTxCodes.poll();
            return new Submission(code, code == 0 ? "" : "refused", id(7));
        }

        @Override
        public Optional<Committed> committed(byte[] txHash) {
            return commits && !submitted.isEmpty() ? Optional.of(new Committed(height + 1, commitCode, "")) : Optional.empty();
        }
    }

    /** A sidecar that answers from fields and fails from a queue first. */
    static final class Sidecar implements SidecarClient {
        final Deque<SidecarException> failures = new ArrayDeque<>();
        SidecarException always;
        byte[] vrfOutput = new byte[32];
        int calls;

        @Override
        public Identity identity() throws SidecarException {
            fail();
            return new Identity(new byte[0], List.of(), new byte[0], new byte[0], new byte[0], eccNodeKeyPublic(), new byte[0],
                    new byte[0], new byte[33], new byte[0], CHAIN, SELF, "http://127.0.0.1:1", 15);
        }

        @Override
        public byte[] activateCredential(byte[] credentialBlob, byte[] encryptedSecret) throws SidecarException {
            fail();
            throw new SidecarException(SidecarException.Kind.TPM_ERROR, "no TPM in this fake");
        }

        @Override
        public Quote quote(byte[] nonce, List<Integer> pcrs) throws SidecarException {
            fail();
            throw new SidecarException(SidecarException.Kind.TPM_ERROR, "no TPM in this fake");
        }

        @Override
        public Signature sign(byte[] digest) throws SidecarException {
            fail();
            return new Signature(new byte[8], new byte[64], new byte[8]);
        }

        @Override
        public VrfResult vrfProve(byte[] alpha) throws SidecarException {
            fail();
            return new VrfResult(new byte[81], vrfOutput.clone());
        }

        private void fail() throws SidecarException {
            calls++;
            if (always != null) {
                throw always;
            }
            if (!failures.isEmpty()) {
                throw failures.poll();
            }
        }
    }
}
