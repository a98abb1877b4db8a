package dev.teeledger.cli.gov;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.teeledger.cli.CliException;
import dev.teeledger.protocol.tx.v1.KeyRotation;
import dev.teeledger.protocol.tx.v1.KeyType;
import dev.teeledger.protocol.tx.v1.ParamChange;
import dev.teeledger.protocol.tx.v1.ParamValue;
import dev.teeledger.protocol.tx.v1.PublicKey;
import dev.teeledger.protocol.tx.v1.ReporterChange;
import dev.teeledger.protocol.tx.v1.TxType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One {@code gov propose} subcommand per governance transaction type. Each only turns its
 * options into the payload message; the chain checks the values (ranges, formats) and answers
 * with its result code at submission, so the rules live in one place.
 */
final class Proposals {
    private Proposals() {}

    @Command(name = "param", description = "Change protocol parameters (docs/api.md lists them).")
    static final class Param extends GovCommand.ProposeBase {
        @Option(names = "--set", required = true, description = "name=value (repeat)")
        List<String> settings;

        @Override
        TxType type() {
            return TxType.TX_TYPE_GOV_PARAM_CHANGE;
        }

        @Override
        Message payload() {
            ParamChange.Builder change = ParamChange.newBuilder();
            for (String s : settings) {
                int eq = s.indexOf('=');
                if (eq <= 0 || eq == s.length() - 1) {
                    throw new CliException(CliException.BAD_INPUT, "expected name=value, got '" + s + "'");
                }
                change.addChanges(ParamValue.newBuilder().setName(s.substring(0, eq)).setValue(s.substring(eq + 1)));
            }
            return change.build();
        }

        @Override
        String summary() {
            return "set " + String.join(", ", settings);
        }
    }

    @Command(name = "rotate-keys", description = "Replace the governance key set and threshold.")
    static final class RotateKeys extends GovCommand.ProposeBase {
        @Option(names = "--key", required = true, description = "base64 Ed25519 public key of the new set (repeat)")
        List<String> keys;

        @Option(names = "--threshold", required = true, description = "signatures the new set needs")
        int threshold;

        @Override
        TxType type() {
            return TxType.TX_TYPE_GOV_KEY_ROTATION;
        }

        @Override
        Message payload() {
            KeyRotation.Builder r = KeyRotation.newBuilder().setThreshold(threshold);
            keys.forEach(k -> r.addKeys(GovCommand.ed25519(k)));
            return r.build();
        }

        @Override
        String summary() {
            return "rotate to " + threshold + "-of-" + keys.size();
        }
    }

    @Command(name = "manufacturer-add", description = "Register a TPM manufacturer root certificate.")
    static final class ManufacturerAdd extends GovCommand.ProposeBase {
        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--root", required = true, description = "root certificate, DER")
        Path root;

        @Option(names = "--intermediate", description = "intermediate certificate, DER (repeat)")
        List<Path> intermediates = List.of();

        @Override
        TxType type() {
            return TxType.TX_TYPE_MANUFACTURER_ADD;
        }

        @Override
        Message payload() {
            var b = dev.teeledger.protocol.tx.v1.ManufacturerAdd.newBuilder().setName(name).setRootCertificate(file(root));
            intermediates.forEach(p -> b.addIntermediates(file(p)));
            return b.build();
        }

        @Override
        String summary() {
            return "add manufacturer " + name;
        }
    }

    @Command(name = "manufacturer-revoke", description = "Revoke a manufacturer root: its HSMs become untrusted.")
    static final class ManufacturerRevoke extends GovCommand.ProposeBase {
        @Option(names = "--id", required = true, description = "manufacturer id, hex")
        String id;

        @Option(names = "--reason", required = true)
        String reason;

        @Override
        TxType type() {
            return TxType.TX_TYPE_MANUFACTURER_REVOKE;
        }

        @Override
        Message payload() {
            return dev.teeledger.protocol.tx.v1.ManufacturerRevoke.newBuilder().setManufacturerId(hex(id)).setReason(reason).build();
        }

        @Override
        String summary() {
            return "revoke manufacturer " + id;
        }
    }

    @Command(name = "firmware-approve", description = "Approve a firmware or system-wasm binary for a height window.")
    static final class FirmwareApprove extends GovCommand.ProposeBase {
        @Option(names = "--component", required = true)
        String component;

        @Option(names = "--version", required = true)
        String version;

        @Option(names = "--sha256", required = true, description = "SHA-256 of the binary, hex")
        String sha256;

        @Option(names = "--from", required = true, description = "first height the entry is valid")
        long from;

        @Option(names = "--until", defaultValue = "0", description = "first height it is no longer valid (0 = open-ended)")
        long until;

        @Override
        TxType type() {
            return TxType.TX_TYPE_FIRMWARE_APPROVE;
        }

        @Override
        Message payload() {
            return dev.teeledger.protocol.tx.v1.FirmwareApprove.newBuilder().setComponent(component).setVersion(version)
                    .setSha256(hex(sha256)).setValidFromHeight(from).setValidUntilHeight(until).build();
        }

        @Override
        String summary() {
            return "approve " + component + " " + version;
        }
    }

    @Command(name = "firmware-retire", description = "Retire an approved binary from the current height on.")
    static final class FirmwareRetire extends GovCommand.ProposeBase {
        @Option(names = "--sha256", required = true)
        String sha256;

        @Option(names = "--reason", required = true)
        String reason;

        @Override
        TxType type() {
            return TxType.TX_TYPE_FIRMWARE_RETIRE;
        }

        @Override
        Message payload() {
            return dev.teeledger.protocol.tx.v1.FirmwareRetire.newBuilder().setSha256(hex(sha256)).setReason(reason).build();
        }

        @Override
        String summary() {
            return "retire firmware " + sha256;
        }
    }

    /** The proposals about one HSM that carry only its id and a reason. */
    abstract static class HsmProposal extends GovCommand.ProposeBase {
        @Option(names = "--id", required = true, description = "HSM id, hex")
        String id;

        @Option(names = "--reason", required = true, description = "1 to 256 bytes, recorded on chain")
        String reason;

        abstract Message payload(ByteString hsmId, String reason);

        abstract String verb();

        @Override
        Message payload() {
            return payload(hex(id), reason);
        }

        @Override
        String summary() {
            return verb() + " HSM " + id;
        }
    }

    @Command(name = "hsm-revoke", description = "Revoke one HSM for good.")
    static final class HsmRevoke extends HsmProposal {
        @Override
        TxType type() {
            return TxType.TX_TYPE_HSM_REVOKE;
        }

        @Override
        Message payload(ByteString hsmId, String why) {
            return dev.teeledger.protocol.tx.v1.HsmRevoke.newBuilder().setHsmId(hsmId).setReason(why).build();
        }

        @Override
        String verb() {
            return "revoke";
        }
    }

    @Command(name = "attestation-request", description = "Open an attestation round for an HSM now.")
    static final class AttestationRequest extends HsmProposal {
        @Override
        TxType type() {
            return TxType.TX_TYPE_ATTESTATION_REQUEST;
        }

        @Override
        Message payload(ByteString hsmId, String why) {
            return dev.teeledger.protocol.tx.v1.AttestationRequest.newBuilder().setHsmId(hsmId).setReason(why).build();
        }

        @Override
        String verb() {
            return "attest";
        }
    }

    @Command(name = "bootstrap", description = "Activate a PENDING HSM without a round (a network's first verifiers).")
    static final class Bootstrap extends HsmProposal {
        @Override
        TxType type() {
            return TxType.TX_TYPE_ATTESTATION_BOOTSTRAP;
        }

        @Override
        Message payload(ByteString hsmId, String why) {
            return dev.teeledger.protocol.tx.v1.BootstrapActivation.newBuilder().setHsmId(hsmId).setReason(why).build();
        }

        @Override
        String verb() {
            return "bootstrap";
        }
    }

    /** Authorising and withdrawing a reporter differ only in their type. */
    abstract static class ReporterProposal extends GovCommand.ProposeBase {
        @Option(names = "--key", required = true, description = "base64 public key (32-byte Ed25519 or 33-byte compressed P-256)")
        String key;

        @Override
        Message payload() {
            return ReporterChange.newBuilder().setKey(anyKey(key)).build();
        }

        @Override
        String summary() {
            return (type() == TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE ? "authorise" : "revoke") + " reporter " + key;
        }
    }

    @Command(name = "reporter-authorize", description = "Authorise an activity reporter key.")
    static final class ReporterAuthorize extends ReporterProposal {
        @Override
        TxType type() {
            return TxType.TX_TYPE_CREDIT_REPORTER_AUTHORIZE;
        }
    }

    @Command(name = "reporter-revoke", description = "Withdraw an activity reporter key.")
    static final class ReporterRevoke extends ReporterProposal {
        @Override
        TxType type() {
            return TxType.TX_TYPE_CREDIT_REPORTER_REVOKE;
        }
    }

    static ByteString hex(String text) {
        try {
            return ByteString.copyFrom(HexFormat.of().parseHex(text.trim()));
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "not hex: " + text);
        }
    }

    static ByteString file(Path path) {
        try {
            return ByteString.copyFrom(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new CliException(CliException.BAD_INPUT, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    static PublicKey anyKey(String base64) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.BAD_INPUT, "not base64: " + base64);
        }
        KeyType type = switch (raw.length) {
            case 32 -> KeyType.KEY_TYPE_ED25519;
            case 33 -> KeyType.KEY_TYPE_ECDSA_P256;
            default -> throw new CliException(CliException.BAD_INPUT, "a key is 32 (Ed25519) or 33 (P-256) bytes, got " + raw.length);
        };
        return PublicKey.newBuilder().setType(type).setKey(ByteString.copyFrom(raw)).build();
    }
}
