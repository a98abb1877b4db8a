package dev.teeledger.cli.keys;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code teeledger keys generate|show}: key files for governance members, reporters and tests. */
@Command(name = "keys", description = "Generate and show signing keys.",
        subcommands = {KeysCommand.Generate.class, KeysCommand.Show.class})
public final class KeysCommand {

    @Command(name = "generate", description = "Write a new key to a file (0600, never overwritten) and print its public key.")
    static final class Generate implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--type", defaultValue = "ed25519", description = "ed25519 (governance, reporters) or p256")
        String type;

        @Option(names = "--out", required = true, description = "key file to create")
        Path out;

        @Override
        public void run() {
            KeyFile.Type t = parseType(type);
            KeyFile key = KeyFile.generate(t, new SecureRandom());
            key.write(out);
            print(spec, key);
        }
    }

    @Command(name = "show", description = "Print the public key of a key file.")
    static final class Show implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "key file")
        Path file;

        @Override
        public void run() {
            print(spec, KeyFile.read(file));
        }
    }

    static KeyFile.Type parseType(String type) {
        return switch (type.toLowerCase()) {
            case "ed25519" -> KeyFile.Type.ED25519;
            case "p256", "p-256", "ecdsa-p256" -> KeyFile.Type.P256;
            default -> throw new dev.teeledger.cli.CliException(dev.teeledger.cli.CliException.BAD_INPUT,
                    "unknown key type '" + type + "' (ed25519 or p256)");
        };
    }

    private static void print(CommandSpec spec, KeyFile key) {
        byte[] pub = key.publicKey().getKey().toByteArray();
        spec.commandLine().getOut().printf("type: %s%npublic (base64): %s%npublic (hex): %s%n",
                key.type().name().toLowerCase(), Base64.getEncoder().encodeToString(pub), HexFormat.of().formatHex(pub));
    }
}
