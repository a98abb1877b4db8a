package dev.teeledger.protocol.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.teeledger.protocol.result.Rejection;
import dev.teeledger.protocol.result.ResultCode;
import dev.teeledger.protocol.sig.EcdsaP256KeyPair;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.sig.VerifiedSignatureCache;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.Tx;
import dev.teeledger.protocol.tx.v1.TxBody;
import dev.teeledger.protocol.tx.v1.TxType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class TxCodecTest {
    private static final String CHAIN = "teeledger-test";
    private final Ed25519KeyPair alice = Ed25519KeyPair.fromSeed(new byte[32]);
    private final Ed25519KeyPair bob = Ed25519KeyPair.fromSeed(filled(7));

    private byte[] sampleTx() {
        return TxBuilder.forChain(CHAIN)
                .type(TxType.TX_TYPE_GOV_PARAM_CHANGE)
                .payload(ParamChange.newBuilder().addChanges(ParamValue.newBuilder().setName("tx.max_signers").setValue("8")).build())
                .nonce(3)
                .signer(alice)
                .signer(bob)
                .build();
    }

    @Test
    void roundTripsAndVerifiesSignatures() throws Rejection {
        SignedTx tx = TxCodec.decode(sampleTx(), TxLimits.DEFAULT);
        assertThat(tx.type()).isEqualTo(TxType.TX_TYPE_GOV_PARAM_CHANGE);
        assertThat(tx.nonce()).isEqualTo(3);
        assertThat(tx.signers()).containsExactly(alice.publicKey(), bob.publicKey());
        TxSignatures.verifyAll(tx, CHAIN, new VerifiedSignatureCache(16));
    }

    @Test
    void signaturesDoNotVerifyOnAnotherChain() throws Rejection {
        SignedTx tx = TxCodec.decode(sampleTx(), TxLimits.DEFAULT);
        assertThatThrownBy(() -> TxSignatures.verifyAll(tx, "other-chain", new VerifiedSignatureCache(16)))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(ResultCode.INVALID_SIGNATURE));
    }

    @Test
    void signBytesAreDomainSeparatedAndBindTheChainId() {
        byte[] sb = SignBytes.of("ab", new byte[] {9});
        assertThat(HexFormat.of().formatHex(sb)).isEqualTo(
                HexFormat.of().formatHex("teeledger/tx/v1".getBytes()) + "00" + "02" + "6162" + "09");
    }

    @Test
    void rejectsMalformedBytes() {
        assertCode(new byte[] {(byte) 0xff, 0x01, 0x02}, ResultCode.MALFORMED_TX);
        assertCode(new byte[0], ResultCode.UNKNOWN_TX_TYPE); // parses as an empty envelope with type 0
    }

    @Test
    void rejectsUnknownFieldsAndNonCanonicalOrder() throws IOException {
        Tx tx = Tx.parseFrom(sampleTx());
        byte[] withUnknown = tx.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build())
                .build().toByteArray();
        assertCode(withUnknown, ResultCode.NON_CANONICAL_ENCODING);

        // Signatures first, body second: same message, non-canonical field order.
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(buf);
        for (ByteString s : tx.getSignaturesList()) {
            out.writeBytes(2, s);
        }
        out.writeBytes(1, tx.getBody());
        out.flush();
        assertCode(buf.toByteArray(), ResultCode.NON_CANONICAL_ENCODING);
    }

    @Test
    void rejectsEnvelopeRuleViolations() throws IOException {
        Tx tx = Tx.parseFrom(sampleTx());
        TxBody body = TxBody.parseFrom(tx.getBody());
        assertCode(tx.toBuilder().clearSignatures().addSignatures(tx.getSignatures(0)).build().toByteArray(), ResultCode.SIGNATURE_COUNT_MISMATCH);
        assertCode(rebody(tx, body.toBuilder().setType(TxType.TX_TYPE_UNSPECIFIED).build()), ResultCode.UNKNOWN_TX_TYPE);
        assertCode(rebody(tx, body.toBuilder().setTypeValue(4242).build()), ResultCode.UNKNOWN_TX_TYPE);
        assertCode(rebody(tx, body.toBuilder().clearSigners().build()), ResultCode.NO_SIGNERS);
        assertCode(rebody(tx, body.toBuilder().setSigners(1, alice.publicKey()).build()), ResultCode.DUPLICATE_SIGNER);
        assertCode(rebody(tx, body.toBuilder().setMemo("x".repeat(257)).build()), ResultCode.MEMO_TOO_LONG);
        assertThatThrownBy(() -> TxCodec.decode(sampleTx(), new TxLimits(64, 16)))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(ResultCode.TX_TOO_LARGE));
        assertThatThrownBy(() -> TxCodec.decode(sampleTx(), new TxLimits(65_536, 1)))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(ResultCode.TOO_MANY_SIGNERS));
    }

    @Test
    void acceptsP256Signers() throws Rejection {
        EcdsaP256KeyPair node = EcdsaP256KeyPair.generate(new SecureRandom());
        byte[] raw = TxBuilder.forChain(CHAIN).type(TxType.TX_TYPE_GOV_KEY_ROTATION).signer(node).build();
        TxSignatures.verifyAll(TxCodec.decode(raw, TxLimits.DEFAULT), CHAIN, new VerifiedSignatureCache(4));
    }

    static LongStream seeds() {
        return LongStream.range(0, 500);
    }

    /** Seeded random inputs; the seed in the test name reproduces a failure. */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomBytesNeverEscapeAsRuntimeExceptions(long seed) {
        Random r = new Random(seed);
        byte[] bytes = new byte[r.nextInt(300)];
        r.nextBytes(bytes);
        try {
            TxCodec.decode(bytes, TxLimits.DEFAULT);
        } catch (Rejection expected) {
            // fine: every failure is typed
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everySingleByteFlipIsRejectedOrChangesTheSignedMeaning(long seed) {
        byte[] raw = sampleTx();
        byte[] flipped = raw.clone();
        Random r = new Random(seed);
        int i = r.nextInt(flipped.length);
        flipped[i] ^= (byte) (1 << r.nextInt(8));
        try {
            SignedTx tx = TxCodec.decode(flipped, TxLimits.DEFAULT);
            assertThatThrownBy(() -> TxSignatures.verifyAll(tx, CHAIN, new VerifiedSignatureCache(4)))
                    .isInstanceOf(Rejection.class);
        } catch (Rejection expected) {
            // rejected before signatures: fine
        }
    }

    private static byte[] rebody(Tx tx, TxBody body) {
        return tx.toBuilder().setBody(body.toByteString()).build().toByteArray();
    }

    private static void assertCode(byte[] raw, ResultCode code) {
        assertThatThrownBy(() -> TxCodec.decode(raw, TxLimits.DEFAULT))
                .isInstanceOfSatisfying(Rejection.class, r -> assertThat(r.code()).isEqualTo(code));
    }

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }
}
