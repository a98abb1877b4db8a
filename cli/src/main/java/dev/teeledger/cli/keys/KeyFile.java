package dev.teeledger.cli.keys;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.teeledger.cli.CliException;
import dev.teeledger.protocol.sig.EcdsaP256KeyPair;
import dev.teeledger.protocol.sig.Ed25519KeyPair;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tx.v1.PublicKey;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A private key on disk: JSON {@code {"type": "ed25519"|"p256", "secret": base64, "public": base64}}
 * where the secret is the Ed25519 seed or the P-256 scalar (32 bytes) and the public key is
 * the chain's encoding (raw 32 bytes, or 33-byte compressed point). Written owner-only
 * (0600) and never overwritten; read back only when the stored public key matches the secret.
 * Ed25519 keys in PKCS#8 PEM ({@code openssl genpkey}) are read too.
 */
public final class KeyFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum Type { ED25519, P256 }

    private final Type type;
    private final Signer signer;

    private KeyFile(Type type, Signer signer) {
        this.type = type;
        this.signer = signer;
    }

    public static KeyFile generate(Type type, SecureRandom random) {
        return switch (type) {
            case ED25519 -> new KeyFile(type, Ed25519KeyPair.generate(random));
            case P256 -> new KeyFile(type, EcdsaP256KeyPair.generate(random));
        };
    }

    public Type type() {
        return type;
    }

    public Signer signer() {
        return signer;
    }

    public PublicKey publicKey() {
        return signer.publicKey();
    }

    private byte[] secret() {
        return switch (type) {
            case ED25519 -> ((Ed25519KeyPair) signer).seed();
            case P256 -> ((EcdsaP256KeyPair) signer).scalar();
        };
    }

    /** Writes the key to a new file readable by its owner only. */
    public void write(Path file) {
        ObjectNode node = JSON.createObjectNode()
                .put("type", type.name().toLowerCase())
                .put("secret", Base64.getEncoder().encodeToString(secret()))
                .put("public", Base64.getEncoder().encodeToString(publicKey().getKey().toByteArray()));
        try {
            Files.writeString(file, node.toPrettyString() + "\n", StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // Non-POSIX file systems keep their default permissions; the key is still written.
            }
        } catch (FileAlreadyExistsException e) {
            throw new CliException(CliException.BAD_INPUT, file + " exists; refusing to overwrite a key");
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * An Ed25519 private key in PKCS#8 PEM, as {@code openssl genpkey -algorithm ed25519} writes
     * it (the devnet's governance keys): the seed is the inner OCTET STRING (RFC 8410).
     */
    private static KeyFile fromPem(Path file, String pem) {
        try {
            String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
            org.bouncycastle.asn1.pkcs.PrivateKeyInfo info =
                    org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(Base64.getDecoder().decode(b64));
            if (!info.getPrivateKeyAlgorithm().getAlgorithm().equals(org.bouncycastle.asn1.edec.EdECObjectIdentifiers.id_Ed25519)) {
                throw new IllegalArgumentException("only Ed25519 PEM keys are supported");
            }
            byte[] seed = org.bouncycastle.asn1.ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
            if (seed.length != 32) {
                throw new IllegalArgumentException("Ed25519 seed must be 32 bytes");
            }
            return new KeyFile(Type.ED25519, Ed25519KeyPair.fromSeed(seed));
        } catch (IOException | RuntimeException e) {
            throw new CliException(CliException.BAD_INPUT, "bad PEM key " + file + ": " + e.getMessage(), e);
        }
    }

    public static KeyFile read(Path file) {
        JsonNode node;
        try {
            String text = Files.readString(file);
            if (text.startsWith("-----BEGIN PRIVATE KEY-----")) {
                return fromPem(file, text);
            }
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot read key file " + file + ": " + e.getMessage(), e);
        }
        try {
            Type type = Type.valueOf(node.path("type").asText("").toUpperCase());
            byte[] secret = Base64.getDecoder().decode(node.path("secret").asText(""));
            if (secret.length != 32) {
                throw new IllegalArgumentException("secret must be 32 bytes");
            }
            Signer signer = type == Type.ED25519 ? Ed25519KeyPair.fromSeed(secret) : EcdsaP256KeyPair.fromScalar(secret);
            String stored = node.path("public").asText("");
            if (!stored.equals(Base64.getEncoder().encodeToString(signer.publicKey().getKey().toByteArray()))) {
                throw new IllegalArgumentException("public key does not match the secret");
            }
            return new KeyFile(type, signer);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "bad key file " + file + ": " + e.getMessage(), e);
        }
    }
}
