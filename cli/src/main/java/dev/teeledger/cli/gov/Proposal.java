package dev.teeledger.cli.gov;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.teeledger.cli.CliException;
import dev.teeledger.protocol.sig.Signer;
import dev.teeledger.protocol.tx.SignBytes;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.Tx;
import dev.teeledger.protocol.tx.v1.TxBody;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A governance transaction being co-signed: the exact body bytes every member signs, the
 * chain id they are bound to, and one signature slot per listed signer. Members pass the
 * file around; each {@code gov sign} fills its slot after checking its key is listed, and
 * {@code gov submit} assembles the transaction once every slot is filled. The body never
 * changes after proposal, so every signature covers the same bytes.
 *
 * <p>File format (JSON): {@code chain_id}, {@code type}, {@code summary}, {@code body}
 * (base64 canonical TxBody), {@code signatures} (array aligned with the body's signers,
 * base64 or null).
 */
public final class Proposal {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private final String chainId;
    private final String summary;
    private final byte[] body;
    private final TxBody decoded;
    private final byte[][] signatures;

    Proposal(String chainId, String summary, byte[] body) {
        this.chainId = chainId;
        this.summary = summary;
        this.body = body.clone();
        try {
            this.decoded = TxBody.parseFrom(body);
        } catch (InvalidProtocolBufferException e) {
            throw new CliException(CliException.BAD_INPUT, "proposal body is not a TxBody", e);
        }
        this.signatures = new byte[decoded.getSignersCount()][];
    }

    public String chainId() {
        return chainId;
    }

    public TxBody body() {
        return decoded;
    }

    public String summary() {
        return summary;
    }

    /** Signs the body with {@code signer}, which must be one of the listed signers. */
    public void sign(Signer signer) {
        int slot = decoded.getSignersList().indexOf(signer.publicKey());
        if (slot < 0) {
            throw new CliException(CliException.BAD_INPUT, "this key is not among the proposal's signers");
        }
        signatures[slot] = signer.sign(SignBytes.of(chainId, body));
    }

    /** Public keys whose signature is still missing. */
    public List<PublicKey> missing() {
        List<PublicKey> out = new ArrayList<>();
        for (int i = 0; i < signatures.length; i++) {
            if (signatures[i] == null) {
                out.add(decoded.getSigners(i));
            }
        }
        return out;
    }

    /** The signed transaction; every signature must be present. */
    public byte[] assemble() {
        if (!missing().isEmpty()) {
            throw new CliException(CliException.BAD_INPUT, missing().size() + " signature(s) missing");
        }
        Tx.Builder tx = Tx.newBuilder().setBody(ByteString.copyFrom(body));
        for (byte[] s : signatures) {
            tx.addSignatures(ByteString.copyFrom(s));
        }
        return tx.build().toByteArray();
    }

    public void write(Path file) {
        ObjectNode root = JSON.createObjectNode()
                .put("chain_id", chainId)
                .put("type", decoded.getType().name())
                .put("summary", summary)
                .put("nonce", decoded.getNonce())
                .put("body", B64.encodeToString(body));
        ArrayNode sigs = root.putArray("signatures");
        for (byte[] s : signatures) {
            if (s == null) {
                sigs.addNull();
            } else {
                sigs.add(B64.encodeToString(s));
            }
        }
        try {
            Files.writeString(file, root.toPrettyString() + "\n");
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public static Proposal read(Path file) {
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            Proposal p = new Proposal(root.path("chain_id").asText(""), root.path("summary").asText(""),
                    Base64.getDecoder().decode(root.path("body").asText("")));
            if (p.chainId.isEmpty()) {
                throw new IllegalArgumentException("chain_id missing");
            }
            JsonNode sigs = root.path("signatures");
            if (!sigs.isArray() || sigs.size() != p.signatures.length) {
                throw new IllegalArgumentException("signatures must be an array with one slot per signer");
            }
            for (int i = 0; i < sigs.size(); i++) {
                p.signatures[i] = sigs.get(i).isNull() ? null : Base64.getDecoder().decode(sigs.get(i).asText());
            }
            return p;
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "bad proposal file " + file + ": " + e.getMessage(), e);
        }
    }
}
