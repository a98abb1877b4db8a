package dev.teeledger.abci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.teeledger.abci.hsm.HsmKeeper;
import dev.teeledger.abci.hsm.HsmKeys;
import dev.teeledger.abci.hsm.HsmTrust;
import dev.teeledger.abci.hsm.RegistryHsmDirectory;
import dev.teeledger.protocol.vrf.VrfKeyBinding;
import dev.teeledger.abci.manufacturer.ManufacturerKeeper;
import dev.teeledger.abci.state.MerkleStore;
import dev.teeledger.abci.state.StoreConfig;
import dev.teeledger.abci.state.WorkingSet;
import dev.teeledger.protocol.sig.P256;
import dev.teeledger.protocol.state.v1.HsmRecord;
import dev.teeledger.protocol.state.v1.HsmState;
import dev.teeledger.protocol.state.v1.ManufacturerRecord;
import dev.teeledger.protocol.state.v1.ManufacturerStatus;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record/list bookkeeping, derived trust and the VRF key binding, below the join handler. */
class HsmKeeperTest {
    @TempDir
    Path tmp;

    static byte[] id(int a, int b) {
        byte[] id = new byte[32];
        id[0] = (byte) a;
        id[31] = (byte) b;
        return id;
    }

    static HsmRecord hsm(byte[] id, byte[] mid) {
        return HsmRecord.newBuilder().setHsmId(ByteString.copyFrom(id)).setManufacturerId(ByteString.copyFrom(mid))
                .setState(HsmState.HSM_STATE_PENDING).setJoinedHeight(1).build();
    }

    @Test
    void indexesFollowTheRecordAndPagesAreOrderedByIdAndTrustFollowsTheManufacturer() throws Exception {
        try (MerkleStore store = MerkleStore.open(tmp, StoreConfig.keepRecent(0))) {
            WorkingSet ws = store.newWorkingSet();
            byte[] m1 = id(0xa1, 0);
            byte[] m2 = id(0xa2, 0);
            ManufacturerKeeper mk = new ManufacturerKeeper(ws);
            mk.put(ManufacturerRecord.newBuilder().setId(ByteString.copyFrom(m1)).setStatus(ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE).build());
            mk.put(ManufacturerRecord.newBuilder().setId(ByteString.copyFrom(m2)).setStatus(ManufacturerStatus.MANUFACTURER_STATUS_ACTIVE).build());
            HsmKeeper keeper = new HsmKeeper(ws);
            for (int i = 5; i >= 1; i--) {
                keeper.register(hsm(id(1, i), m1));
            }
            keeper.register(hsm(id(2, 9), m2));

            String byM1 = HsmKeys.byManufacturer(m1);
            String pending = HsmKeys.byState(HsmState.HSM_STATE_PENDING);
            // Join order is list order: ids 5, 4, 3, 2, 1.
            assertThat(keeper.count(byM1)).isEqualTo(5);
            assertThat(keeper.page(byM1, 0)).containsExactly(id(1, 5), id(1, 4), id(1, 3), id(1, 2), id(1, 1));
            assertThat(keeper.page(byM1, 1)).isEmpty();
            assertThat(keeper.page(HsmKeys.byManufacturer(m2), 0)).containsExactly(id(2, 9));
            assertThat(keeper.count(pending)).isEqualTo(6);
            assertThat(keeper.isMember(byM1, id(1, 3))).isTrue();
            assertThat(keeper.isMember(byM1, id(2, 9))).isFalse();

            keeper.setState(keeper.find(id(1, 3)), HsmState.HSM_STATE_ACTIVE, 7);
            keeper.setState(keeper.find(id(1, 4)), HsmState.HSM_STATE_SUSPENDED, 7);
            assertThat(keeper.count(pending)).isEqualTo(4);
            assertThat(keeper.page(pending, 0)).hasSize(4).doesNotContain(id(1, 3), id(1, 4));
            assertThat(keeper.page(HsmKeys.byState(HsmState.HSM_STATE_ACTIVE), 0)).containsExactly(id(1, 3));
            assertThat(keeper.find(id(1, 3)).getStateHeight()).isEqualTo(7);
            // A move to the current state changes nothing.
            HsmRecord active = keeper.find(id(1, 3));
            assertThat(keeper.setState(active, HsmState.HSM_STATE_ACTIVE, 9)).isEqualTo(active);
            assertThat(keeper.find(id(1, 3)).getStateHeight()).isEqualTo(7);

            assertThat(keeper.isTrusted(id(1, 3))).isTrue();
            assertThat(keeper.isTrusted(id(1, 1))).isTrue();
            assertThat(keeper.isTrusted(id(1, 4))).isFalse();           // suspended
            assertThat(keeper.isTrusted(id(9, 9))).isFalse();           // unknown
            // Revoking m1 is one write to the manufacturer record; no HSM record changes.
            byte[] before = keeper.find(id(1, 1)).toByteArray();
            mk.put(mk.find(m1).toBuilder().setStatus(ManufacturerStatus.MANUFACTURER_STATUS_REVOKED).setRevokedHeight(8).build());
            for (byte[] h : keeper.page(byM1, 0)) {
                assertThat(keeper.isTrusted(h)).isFalse();
            }
            assertThat(keeper.find(id(1, 1)).toByteArray()).isEqualTo(before);
            assertThat(keeper.isTrusted(id(2, 9))).isTrue();
            assertThat(HsmTrust.trusted(keeper.find(id(2, 9)), mk.find(m1))).isFalse();   // another manufacturer's record

            RegistryHsmDirectory dir = new RegistryHsmDirectory();
            assertThat(dir.isRegistered(ws, id(1, 1))).isTrue();
            assertThat(dir.isRegistered(ws, id(7, 7))).isFalse();
            assertThat(dir.isRegistered(ws, new byte[31])).isFalse();
        }
    }

    @Test
    void vrfKeyBindingVerifiesOnlyTheSignedStatement() {
        SecureRandom rnd = new SecureRandom();
        BigInteger d = new BigInteger(256, rnd).mod(P256.N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        ECPoint q = P256.G.multiply(d).normalize();
        byte[] msg = VrfKeyBinding.message("chain-a", id(1, 1), P256.G.getEncoded(true));
        ECDSASigner signer = new ECDSASigner();
        signer.init(true, new ECPrivateKeyParameters(d, P256.DOMAIN));
        BigInteger[] rs = signer.generateSignature(VrfKeyBinding.digest(msg));
        byte[] der;
        try {
            der = new DERSequence(new ASN1Integer[] {new ASN1Integer(rs[0]), new ASN1Integer(rs[1])}).getEncoded();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(VrfKeyBinding.verify(q, msg, der)).isTrue();
        assertThat(VrfKeyBinding.verify(q, VrfKeyBinding.message("chain-b", id(1, 1), P256.G.getEncoded(true)), der)).isFalse();
        assertThat(VrfKeyBinding.verify(q, VrfKeyBinding.message("chain-a", id(1, 2), P256.G.getEncoded(true)), der)).isFalse();
        assertThat(VrfKeyBinding.verify(P256.G, msg, der)).isFalse();
        byte[] trailing = java.util.Arrays.copyOf(der, der.length + 1);
        assertThat(VrfKeyBinding.verify(q, msg, trailing)).isFalse();
        assertThat(VrfKeyBinding.verify(q, msg, new byte[0])).isFalse();
        assertThat(VrfKeyBinding.verify(q, msg, new byte[] {0x30, 0x00})).isFalse();
    }
}
