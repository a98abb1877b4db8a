package dev.teeledger.cli.k8s;

import dev.teeledger.cli.CliException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * One validator's entry in genesis: its StatefulSet ordinal, CometBFT consensus public key
 * (raw 32-byte Ed25519) and voting power. Built by {@link GenesisBootstrap} from the
 * per-validator public-key ConfigMaps; the constructor rejects anything CometBFT would refuse.
 */
public record ValidatorKey(int ordinal, byte[] pubKey, long power) {

    /** CometBFT's JSON type tag of an Ed25519 consensus key (crypto/ed25519, amino name). */
    public static final String ED25519_TYPE = "tendermint/PubKeyEd25519";

    public ValidatorKey {
        if (ordinal < 0) {
            throw new CliException(CliException.BAD_INPUT, "validator ordinal must be >= 0, got " + ordinal);
        }
        if (pubKey == null || pubKey.length != 32) {
            throw new CliException(CliException.BAD_INPUT, "validator " + ordinal + ": an Ed25519 public key has 32 bytes");
        }
        if (power <= 0) {
            throw new CliException(CliException.BAD_INPUT, "validator " + ordinal + ": power must be positive, got " + power);
        }
        pubKey = pubKey.clone();
    }

    /** Parses the base64 key text of a ConfigMap or priv_validator_key.json. */
    public static byte[] decodePubKey(String base64, String where) {
        try {
            byte[] raw = Base64.getDecoder().decode(base64.trim());
            if (raw.length != 32) {
                throw new CliException(CliException.BAD_INPUT, where + ": pub_key has " + raw.length + " bytes, an Ed25519 key has 32");
            }
            return raw;
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, where + ": pub_key is not base64");
        }
    }

    @Override
    public byte[] pubKey() {
        return pubKey.clone();
    }

    public String pubKeyBase64() {
        return Base64.getEncoder().encodeToString(pubKey);
    }

    /** CometBFT address: the first 20 bytes of SHA-256 of the Ed25519 key, upper-case hex. */
    public String address() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(pubKey);
            return HexFormat.of().withUpperCase().formatHex(Arrays.copyOf(h, 20));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a mandatory JCA algorithm", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValidatorKey v && v.ordinal == ordinal && v.power == power && Arrays.equals(v.pubKey, pubKey);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * ordinal + Long.hashCode(power)) + Arrays.hashCode(pubKey);
    }

    @Override
    public String toString() {
        return "ValidatorKey[" + ordinal + ", " + pubKeyBase64() + ", " + power + "]";
    }
}
